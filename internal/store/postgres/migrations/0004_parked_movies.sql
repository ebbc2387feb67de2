-- A movie whose review passes keep failing is parked: the schedule leaves it
-- out until a user unparks it. unparked_at marks where the count of
-- consecutive failed passes starts again.

ALTER TABLE movies ADD COLUMN parked_at timestamptz;
ALTER TABLE movies ADD COLUMN parked_reason text NOT NULL DEFAULT '';
ALTER TABLE movies ADD COLUMN unparked_at timestamptz;
