-- qinglian base schema. Portable SQL for SQLite and PostgreSQL (and PostgreSQL-compatible
-- domestic databases): no extensions, no dialect-specific types. Tokens in {{…}} are the only
-- dialect differences and are expanded by `dialect.rs`.
-- Conventions: integers are BIGINT, flags are BIGINT 0/1, dates are TEXT 'YYYY-MM-DD',
-- timestamps are TEXT 'YYYY-MM-DDTHH:MM:SS.ffffffZ' (UTC, fixed width, so they sort as text).

CREATE TABLE org (
    id {{PK}},
    parent_id BIGINT REFERENCES org(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    code TEXT,
    path TEXT NOT NULL,
    depth BIGINT NOT NULL,
    sort_order BIGINT NOT NULL DEFAULT 0,
    supervised_by BIGINT REFERENCES org(id),
    active BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX org_path_key ON org(path);
CREATE INDEX org_parent_idx ON org(parent_id);

CREATE TABLE party_org (
    id {{PK}},
    org_id BIGINT NOT NULL REFERENCES org(id),
    parent_id BIGINT REFERENCES party_org(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX party_org_org_idx ON party_org(org_id);

CREATE TABLE person (
    id {{PK}},
    org_id BIGINT NOT NULL REFERENCES org(id),
    name TEXT NOT NULL,
    name_initials TEXT NOT NULL,
    name_pinyin TEXT NOT NULL,
    id_number TEXT NOT NULL,
    sex TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    post TEXT NOT NULL DEFAULT '',
    rank TEXT NOT NULL DEFAULT '',
    party_member BIGINT NOT NULL DEFAULT 0,
    supervised BIGINT NOT NULL DEFAULT 0,
    principal BIGINT NOT NULL DEFAULT 0,
    leadership_member BIGINT NOT NULL DEFAULT 0,
    phone TEXT NOT NULL DEFAULT '',
    active BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX person_id_number_key ON person(id_number);
CREATE INDEX person_org_idx ON person(org_id);
CREATE INDEX person_initials_idx ON person(name_initials);

CREATE TABLE role (
    id {{PK}},
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    admin_kind TEXT,
    require_totp BIGINT NOT NULL DEFAULT 0,
    builtin BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX role_code_key ON role(code);

CREATE TABLE role_permission (
    role_id BIGINT NOT NULL REFERENCES role(id),
    permission TEXT NOT NULL,
    PRIMARY KEY (role_id, permission)
);

CREATE TABLE app_user (
    id {{PK}},
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    org_id BIGINT REFERENCES org(id),
    person_id BIGINT REFERENCES person(id),
    password_hash TEXT NOT NULL,
    must_change_password BIGINT NOT NULL DEFAULT 0,
    password_changed_at TEXT,
    totp_secret TEXT,
    totp_enabled BIGINT NOT NULL DEFAULT 0,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until TEXT,
    disabled BIGINT NOT NULL DEFAULT 0,
    last_login_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX app_user_username_key ON app_user(username);

CREATE TABLE user_role (
    user_id BIGINT NOT NULL REFERENCES app_user(id),
    role_id BIGINT NOT NULL REFERENCES role(id),
    PRIMARY KEY (user_id, role_id)
);

CREATE TABLE user_scope (
    user_id BIGINT NOT NULL REFERENCES app_user(id),
    org_id BIGINT NOT NULL REFERENCES org(id),
    PRIMARY KEY (user_id, org_id)
);

CREATE TABLE app_session (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES app_user(id),
    kind TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    totp_pending BIGINT NOT NULL DEFAULT 0,
    ip TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX app_session_user_idx ON app_session(user_id);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    user_id BIGINT,
    username TEXT NOT NULL,
    role TEXT NOT NULL,
    ip TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL,
    hash_alg TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_at_idx ON audit_log(at);

-- One row (id = 1): the head of the audit chain. Writers UPDATE it first, which serialises
-- concurrent appends on every database (a row lock on PostgreSQL, the write lock on SQLite).
-- anchor_* record where the chain starts after a retention purge.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    anchor_seq BIGINT NOT NULL,
    anchor_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash, anchor_seq, anchor_hash) VALUES (1, 0, '', 1, '');

CREATE TABLE calendar_year (
    year BIGINT PRIMARY KEY,
    source TEXT NOT NULL,
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE deadline (
    id {{PK}},
    module TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES org(id),
    owner_user_id BIGINT REFERENCES app_user(id),
    title TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    start_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT '',
    done_at TEXT,
    notified_status TEXT NOT NULL DEFAULT '',
    notified_on TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX deadline_due_idx ON deadline(due_date);
CREATE INDEX deadline_org_idx ON deadline(org_id);

CREATE TABLE notification (
    id {{PK}},
    user_id BIGINT NOT NULL REFERENCES app_user(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX notification_user_idx ON notification(user_id, read_at);

CREATE TABLE setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
