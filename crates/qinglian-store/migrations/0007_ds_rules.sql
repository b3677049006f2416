-- Detection rules are need-to-know (issue #16 §1): models, thresholds, SQL, dataset schemas and
-- runs need `ds.rules`, which units under supervision do not hold. Existing roles that could
-- read findings keep what they saw, except the units' own roles.
INSERT INTO role_permission (role_id, permission)
SELECT rp.role_id, 'ds.rules' FROM role_permission rp JOIN role r ON r.id = rp.role_id
WHERE rp.permission = 'ds.read' AND r.code NOT IN ('unit_admin', 'staff');
