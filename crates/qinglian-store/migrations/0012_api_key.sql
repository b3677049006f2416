-- API keys (接口密钥) for other systems (the 12345 hotline): a long-lived bearer token that acts
-- as one user (a service account) with that user's roles and data scope. Only the SHA-256 of
-- the key is stored; the key is shown once when it is made.
CREATE TABLE api_key (
    id {{PK}},
    user_id BIGINT NOT NULL REFERENCES app_user(id),
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    prefix TEXT NOT NULL,
    created_by BIGINT REFERENCES app_user(id),
    created_at TEXT NOT NULL,
    last_used_at TEXT NOT NULL DEFAULT '',
    revoked_at TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX api_key_hash_key ON api_key(key_hash);
CREATE INDEX api_key_user_idx ON api_key(user_id);
