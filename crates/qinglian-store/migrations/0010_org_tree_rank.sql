-- Sorting a list by 单位 follows the org tree as the tree page shows it (siblings by sort order,
-- then name), not the text of id paths ("/1/10/" before "/1/2/"): each org's position in that
-- order, recomputed by org::refresh_tree_rank after every change of the tree and at start.
ALTER TABLE org ADD COLUMN tree_rank BIGINT NOT NULL DEFAULT 0;
CREATE INDEX org_tree_rank_idx ON org(tree_rank);
