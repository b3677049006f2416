-- Data supervision (大数据监督): remembered header mappings, custom models, background jobs
-- (dataset imports and model runs), findings (疑点), their checking (核查) and attachments.
-- Dataset files themselves live in the versioned Parquet dataset store, not here.

CREATE TABLE ds_header_mapping (
    id {{PK}},
    dataset TEXT NOT NULL,
    header TEXT NOT NULL,
    column_name TEXT NOT NULL,
    updated_by BIGINT REFERENCES app_user(id),
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ds_header_mapping_key ON ds_header_mapping(dataset, header);

CREATE TABLE ds_custom_model (
    id {{PK}},
    code TEXT NOT NULL,
    version BIGINT NOT NULL,
    title TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    sql_text TEXT NOT NULL,
    explanation TEXT NOT NULL,
    params_json TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    created_by BIGINT REFERENCES app_user(id),
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ds_custom_model_key ON ds_custom_model(code, version);

CREATE TABLE ds_job (
    id {{PK}},
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    title TEXT NOT NULL,
    params_json TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES org(id),
    created_by BIGINT REFERENCES app_user(id),
    done_steps BIGINT NOT NULL DEFAULT 0,
    total_steps BIGINT NOT NULL DEFAULT 0,
    rows_processed BIGINT NOT NULL DEFAULT 0,
    current_step TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    result_json TEXT NOT NULL DEFAULT '',
    attempts BIGINT NOT NULL DEFAULT 0,
    cancel_requested BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT
);
CREATE INDEX ds_job_status_idx ON ds_job(status);

CREATE TABLE ds_finding (
    id {{PK}},
    model TEXT NOT NULL,
    model_version BIGINT NOT NULL,
    model_title TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    period TEXT NOT NULL DEFAULT '',
    severity TEXT NOT NULL,
    explanation TEXT NOT NULL,
    evidence_json TEXT NOT NULL,
    dataset_versions TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES org(id),
    check_org_id BIGINT REFERENCES org(id),
    status TEXT NOT NULL,
    close_note TEXT NOT NULL DEFAULT '',
    first_job_id BIGINT REFERENCES ds_job(id),
    last_job_id BIGINT REFERENCES ds_job(id),
    clue_id BIGINT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ds_finding_key ON ds_finding(model, subject, period);
CREATE INDEX ds_finding_status_idx ON ds_finding(status);
CREATE INDEX ds_finding_check_org_idx ON ds_finding(check_org_id);

CREATE TABLE ds_check (
    id {{PK}},
    finding_id BIGINT NOT NULL REFERENCES ds_finding(id),
    org_id BIGINT NOT NULL REFERENCES org(id),
    round BIGINT NOT NULL,
    request_note TEXT NOT NULL,
    sent_by BIGINT REFERENCES app_user(id),
    sent_at TEXT NOT NULL,
    due_date TEXT NOT NULL,
    deadline_id BIGINT REFERENCES deadline(id),
    answer TEXT,
    answer_note TEXT NOT NULL DEFAULT '',
    answered_by BIGINT REFERENCES app_user(id),
    answered_at TEXT,
    review TEXT,
    review_note TEXT NOT NULL DEFAULT '',
    reviewed_by BIGINT REFERENCES app_user(id),
    reviewed_at TEXT
);
CREATE INDEX ds_check_finding_idx ON ds_check(finding_id);

CREATE TABLE attachment (
    id {{PK}},
    owner_type TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    uploaded_by BIGINT REFERENCES app_user(id),
    created_at TEXT NOT NULL
);
CREATE INDEX attachment_owner_idx ON attachment(owner_type, owner_id);

-- Built-in roles created before this migration get the new permissions they hold by default
-- (on a new database the roles do not exist yet and are created with them).
INSERT INTO role_permission (role_id, permission) SELECT id, 'ds.read' FROM role WHERE code IN ('leader', 'casemgmt', 'supervision', 'stationed', 'unit_admin');
INSERT INTO role_permission (role_id, permission) SELECT id, 'ds.export' FROM role WHERE code IN ('leader', 'casemgmt', 'supervision');
INSERT INTO role_permission (role_id, permission) SELECT id, 'ds.dataset' FROM role WHERE code IN ('supervision');
INSERT INTO role_permission (role_id, permission) SELECT id, 'ds.run' FROM role WHERE code IN ('supervision');
INSERT INTO role_permission (role_id, permission) SELECT id, 'ds.model' FROM role WHERE code IN ('supervision');
INSERT INTO role_permission (role_id, permission) SELECT id, 'ds.dispatch' FROM role WHERE code IN ('supervision');
INSERT INTO role_permission (role_id, permission) SELECT id, 'ds.answer' FROM role WHERE code IN ('unit_admin');
