-- Modify "memberships" table: the child's level, copied from the child
ALTER TABLE "memberships" ADD COLUMN "child_level" character varying NULL;
UPDATE "memberships" SET "child_level" = "territories"."level" FROM "territories" WHERE "territories"."id" = "memberships"."child_id";
ALTER TABLE "memberships" ALTER COLUMN "child_level" SET NOT NULL;
-- Create index "membership_parent_id_child_level" to table: "memberships"
CREATE INDEX "membership_parent_id_child_level" ON "memberships" ("parent_id", "child_level");
