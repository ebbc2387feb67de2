-- Accounts of OpenID Connect providers linked to users, for single
-- sign-on. A provider account is named by the issuer URL and the subject
-- id that the provider keeps for it, so that a change of its email address
-- keeps the link.

CREATE TABLE oidc_identities (
    issuer       text NOT NULL CHECK (issuer <> ''),
    subject      text NOT NULL CHECK (subject <> ''),
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz NOT NULL,
    PRIMARY KEY (issuer, subject)
);

CREATE INDEX oidc_identities_user ON oidc_identities (user_id);
