-- Detection rules are need-to-know (issue #16 §1): models, thresholds, SQL, dataset schemas and
-- runs need `ds.rules`, which units under supervision do not hold. Existing roles that could
-- read findings keep what they saw, except the units' own roles.
INSERT INTO role_permission (role_id, permission)
SELECT rp.role_id, 'ds.rules' FROM role_permission rp JOIN role r ON r.id = rp.role_id
WHERE rp.permission = 'ds.read' AND r.code NOT IN ('unit_admin', 'staff');
-- Findings show ID numbers only to roles holding person.sensitive (issue #16 §1); the
-- supervision office, which imports the datasets and checks the findings, holds it.
INSERT INTO role_permission (role_id, permission)
SELECT r.id, 'person.sensitive' FROM role r
WHERE r.code = 'supervision' AND r.builtin = 1
AND NOT EXISTS (SELECT 1 FROM role_permission rp WHERE rp.role_id = r.id AND rp.permission = 'person.sensitive');
