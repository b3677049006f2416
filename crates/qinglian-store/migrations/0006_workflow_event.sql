-- Every workflow transition of every module (issue #11 §2): who moved which item from which
-- state to which, when, with what note. Written by workflow::apply in the transition's
-- transaction; read as the item's history.
CREATE TABLE workflow_event (
    id {{PK}},
    workflow TEXT NOT NULL,
    object_id BIGINT NOT NULL,
    from_state TEXT NOT NULL,
    action TEXT NOT NULL,
    to_state TEXT NOT NULL,
    user_id BIGINT REFERENCES app_user(id),
    at TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX workflow_event_object_idx ON workflow_event(workflow, object_id);
