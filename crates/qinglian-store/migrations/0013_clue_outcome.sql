-- Problem clues (问题线索) and outcomes (处理处分结果), issue #13.
--
-- A clue is scoped by the org of its subject (a roster person's unit) or, for a subject not in
-- the roster, by the commission that registered it. Its title and matter are key-ring
-- ciphertext bound to the row (clue:<id>:title|matter): a clue carried over from a report holds
-- the report's text, which may identify the reporter. The reporter's identity is never copied.
CREATE TABLE clue (
    id {{PK}},
    -- The commission whose clue it is (its offices are told, its deadlines kept).
    commission_id BIGINT NOT NULL REFERENCES org(id),
    org_id BIGINT NOT NULL REFERENCES org(id),
    -- The office (a section of the commission) that manages it.
    manager_org_id BIGINT REFERENCES org(id),
    source TEXT NOT NULL,
    -- The source's own reference (巡察组、审计报告文号…).
    source_ref TEXT NOT NULL DEFAULT '',
    report_id BIGINT REFERENCES report(id),
    finding_id BIGINT REFERENCES data_supervision_finding(id),
    person_id BIGINT REFERENCES person(id),
    subject_name TEXT NOT NULL,
    subject_org TEXT NOT NULL DEFAULT '',
    subject_post TEXT NOT NULL DEFAULT '',
    subject_level TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT '',
    title_enc TEXT NOT NULL,
    matter_enc TEXT NOT NULL,
    received_on TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by BIGINT REFERENCES app_user(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX clue_org_idx ON clue(org_id);
CREATE INDEX clue_person_idx ON clue(person_id);
CREATE INDEX clue_status_idx ON clue(status);
CREATE UNIQUE INDEX clue_report_key ON clue(report_id);
CREATE UNIQUE INDEX clue_finding_key ON clue(finding_id);

-- Outcomes against a person: from a case, a clue's inquiry, or history imported at go-live.
-- form (1..4) is derived from kind (RULES.md §4); effect_until is the last day of the effect
-- period ('' when none), permanent = 1 for a bar without end (开除公职).
CREATE TABLE outcome (
    id {{PK}},
    person_id BIGINT NOT NULL REFERENCES person(id),
    -- The person's org when the outcome was recorded (data scope).
    org_id BIGINT NOT NULL REFERENCES org(id),
    kind TEXT NOT NULL,
    form BIGINT NOT NULL,
    decided_on TEXT NOT NULL,
    effective_on TEXT NOT NULL,
    term_months BIGINT,
    effect_until TEXT NOT NULL DEFAULT '',
    permanent BIGINT NOT NULL DEFAULT 0,
    case_ref TEXT NOT NULL,
    clue_id BIGINT REFERENCES clue(id),
    -- entry | import | api | clue | case
    source TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES app_user(id),
    created_at TEXT NOT NULL
);
CREATE INDEX outcome_person_idx ON outcome(person_id);
CREATE INDEX outcome_decided_idx ON outcome(decided_on);
CREATE INDEX outcome_org_idx ON outcome(org_id);

-- 谈话函询 of a clue: the letter (its number from the document register, the day sent), the
-- subject's written explanation with the sign-off of their party organisation's principal (or
-- sent straight to the commission when the subject is that principal), or the record of an
-- inquiry talk; the proposed conclusion and the outcome it recorded. Texts are ciphertext bound
-- to the row (clue_inquiry:<clue id>:<field>).
CREATE TABLE clue_inquiry (
    clue_id BIGINT PRIMARY KEY REFERENCES clue(id),
    mode TEXT NOT NULL DEFAULT '',
    letter_number TEXT NOT NULL DEFAULT '',
    letter_sent_on TEXT NOT NULL DEFAULT '',
    explanation_enc TEXT NOT NULL DEFAULT '',
    explained_on TEXT NOT NULL DEFAULT '',
    sign_off TEXT NOT NULL DEFAULT '',
    direct BIGINT NOT NULL DEFAULT 0,
    talk_enc TEXT NOT NULL DEFAULT '',
    conclusion TEXT NOT NULL DEFAULT '',
    outcome_id BIGINT REFERENCES outcome(id),
    updated_at TEXT NOT NULL
);

-- The register of issued documents (发文登记): each kind of document of a commission is numbered
-- per year without gaps (示纪函〔2026〕3号); a document keeps its number once given.
CREATE TABLE document_number (
    id {{PK}},
    org_id BIGINT NOT NULL REFERENCES org(id),
    kind TEXT NOT NULL,
    year BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    created_by BIGINT REFERENCES app_user(id),
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX document_number_seq_key ON document_number(org_id, kind, year, seq);
CREATE UNIQUE INDEX document_number_object_key ON document_number(kind, object_type, object_id);

-- 集体排查 (triage): a meeting of the commission that proposes each clue's disposition; the
-- minutes (会议纪要) are generated from these rows.
CREATE TABLE clue_triage_meeting (
    id {{PK}},
    commission_id BIGINT NOT NULL REFERENCES org(id),
    held_on TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    host TEXT NOT NULL,
    attendees TEXT NOT NULL,
    created_by BIGINT REFERENCES app_user(id),
    created_at TEXT NOT NULL
);
CREATE TABLE clue_triage_item (
    id {{PK}},
    meeting_id BIGINT NOT NULL REFERENCES clue_triage_meeting(id),
    clue_id BIGINT NOT NULL REFERENCES clue(id),
    disposition TEXT NOT NULL,
    opinion TEXT NOT NULL
);
CREATE INDEX clue_triage_item_meeting_idx ON clue_triage_item(meeting_id);
CREATE INDEX clue_triage_item_clue_idx ON clue_triage_item(clue_id);

-- The day a report was last assigned to a unit (交办): a petition's unit may object within 5
-- working days of it (RULES.md §2, petition_objection).
ALTER TABLE report ADD COLUMN assigned_on TEXT NOT NULL DEFAULT '';

-- 初步核实 of a clue: the plan (ciphertext), the team, the plan's own due date, and the
-- verification report with its proposal (ciphertext, clue_verification:<clue id>:<field>).
CREATE TABLE clue_verification (
    clue_id BIGINT PRIMARY KEY REFERENCES clue(id),
    plan_enc TEXT NOT NULL DEFAULT '',
    team TEXT NOT NULL DEFAULT '',
    due_on TEXT NOT NULL DEFAULT '',
    report_enc TEXT NOT NULL DEFAULT '',
    reported_on TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);

-- Cases (案件): filed from an approved 拟立案 clue, numbered in the document register (the table
-- is not called `case`: CASE is an SQL keyword). Need-to-know: members (case_member) and the
-- holders of case.read (the managing office, leaders) read a case; nobody else.
CREATE TABLE case_record (
    id {{PK}},
    commission_id BIGINT NOT NULL REFERENCES org(id),
    org_id BIGINT NOT NULL REFERENCES org(id),
    clue_id BIGINT REFERENCES clue(id),
    person_id BIGINT REFERENCES person(id),
    subject_name TEXT NOT NULL,
    number TEXT NOT NULL,
    filed_on TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by BIGINT REFERENCES app_user(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX case_record_clue_key ON case_record(clue_id);
CREATE TABLE case_member (
    id {{PK}},
    case_id BIGINT NOT NULL REFERENCES case_record(id),
    user_id BIGINT NOT NULL REFERENCES app_user(id),
    -- investigation | adjudication
    role TEXT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE UNIQUE INDEX case_member_key ON case_member(case_id, user_id, role);
