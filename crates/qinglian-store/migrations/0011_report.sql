-- Reports (信访举报, issue #12). The reporter's identity and the report's text are stored only
-- encrypted with the key ring (columns *_enc, AEAD with the report's row as associated data);
-- the receipt code only as a deterministic Argon2id hash under the installation's secret salt
-- (receipt_hash, the lookup key). Subject, category and dates stay clear: staff search and
-- duplicate detection work on them.
CREATE TABLE report (
    id {{PK}},
    -- The commission that handles it (data scope), and the unit a report is assigned to.
    org_id BIGINT NOT NULL REFERENCES org(id),
    handler_org_id BIGINT REFERENCES org(id),
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    -- The hotline's own id (idempotent posting: one report per channel and external id).
    external_id TEXT,
    named BIGINT NOT NULL DEFAULT 0,
    reporter_enc TEXT NOT NULL DEFAULT '',
    receipt_hash TEXT,
    subject_name TEXT NOT NULL DEFAULT '',
    subject_org TEXT NOT NULL DEFAULT '',
    subject_post TEXT NOT NULL DEFAULT '',
    subject_level TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT '',
    title_enc TEXT NOT NULL,
    content_enc TEXT NOT NULL,
    happened_on TEXT NOT NULL DEFAULT '',
    place TEXT NOT NULL DEFAULT '',
    visitors BIGINT NOT NULL DEFAULT 0,
    -- 我为群众办实事: the day the unit promised, the day it was concluded, and the summary the
    -- office chose to publish on the portal (written to contain no personal information).
    promised_on TEXT NOT NULL DEFAULT '',
    concluded_on TEXT NOT NULL DEFAULT '',
    public_summary TEXT NOT NULL DEFAULT '',
    received_on TEXT NOT NULL,
    status TEXT NOT NULL,
    duplicate_of BIGINT REFERENCES report(id),
    -- About the commission's own principal: forwarded up, hidden from this level's case data.
    about_principal BIGINT NOT NULL DEFAULT 0,
    extended BIGINT NOT NULL DEFAULT 0,
    satisfaction TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES app_user(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX report_receipt_key ON report(receipt_hash);
CREATE UNIQUE INDEX report_external_key ON report(channel, external_id);
CREATE INDEX report_org_idx ON report(org_id);
CREATE INDEX report_handler_idx ON report(handler_org_id);
CREATE INDEX report_subject_idx ON report(subject_name);
CREATE INDEX report_status_idx ON report(status);

-- What the office tells the reporter (replies) and what the reporter adds (supplements), in
-- order; the text encrypted like the report's.
CREATE TABLE report_message (
    id {{PK}},
    report_id BIGINT NOT NULL REFERENCES report(id),
    -- reply (to the reporter), supplement (from the reporter), review (the reporter's 复查 request),
    -- back (a unit's report-back, internal), note (internal)
    kind TEXT NOT NULL,
    text_enc TEXT NOT NULL,
    public BIGINT NOT NULL DEFAULT 0,
    user_id BIGINT REFERENCES app_user(id),
    org_id BIGINT REFERENCES org(id),
    created_at TEXT NOT NULL
);
CREATE INDEX report_message_report_idx ON report_message(report_id);

-- Identity disclosure (身份披露): a handler asks with a reason; the commission's leader decides;
-- an approval lets the requester see the reporter until it expires. Every view is audited.
CREATE TABLE report_disclosure (
    id {{PK}},
    report_id BIGINT NOT NULL REFERENCES report(id),
    requested_by BIGINT NOT NULL REFERENCES app_user(id),
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_by BIGINT REFERENCES app_user(id),
    decided_at TEXT,
    decision_note TEXT NOT NULL DEFAULT '',
    expires_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX report_disclosure_report_idx ON report_disclosure(report_id);
CREATE INDEX report_disclosure_status_idx ON report_disclosure(status);

-- 有奖举报的奖励: proposed after the eligibility review (band, amount), approved by the
-- commission's leader, paid (recorded). One per report.
CREATE TABLE report_reward (
    id {{PK}},
    report_id BIGINT NOT NULL REFERENCES report(id),
    status TEXT NOT NULL,
    band TEXT NOT NULL,
    amount BIGINT NOT NULL,
    reason TEXT NOT NULL,
    proposed_by BIGINT REFERENCES app_user(id),
    decided_by BIGINT REFERENCES app_user(id),
    decision_note TEXT NOT NULL DEFAULT '',
    paid_on TEXT NOT NULL DEFAULT '',
    payment_note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX report_reward_report_key ON report_reward(report_id);
