-- Placeholder so this branch migrates on its own; the merge replaces it with
-- the migration of this number from another branch.
SELECT 1;
