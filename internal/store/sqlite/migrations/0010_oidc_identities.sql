-- Accounts of OpenID Connect providers linked to users, for single
-- sign-on. A provider account is named by the issuer URL and the subject
-- id that the provider keeps for it, so that a change of its email address
-- keeps the link.

CREATE TABLE oidc_identities (
    issuer       TEXT NOT NULL CHECK (issuer <> ''),
    subject      TEXT NOT NULL CHECK (subject <> ''),
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT NOT NULL,
    PRIMARY KEY (issuer, subject)
) STRICT;

CREATE INDEX oidc_identities_user ON oidc_identities (user_id);
