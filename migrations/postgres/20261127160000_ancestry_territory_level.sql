-- Modify "ancestries" table: the territory's level, copied from the territory
ALTER TABLE "ancestries" ADD COLUMN "territory_level" character varying NULL;
UPDATE "ancestries" SET "territory_level" = "territories"."level" FROM "territories" WHERE "territories"."id" = "ancestries"."territory_id";
ALTER TABLE "ancestries" ALTER COLUMN "territory_level" SET NOT NULL;
-- Create index "ancestry_ancestor_id_territory_level" to table: "ancestries"
CREATE INDEX "ancestry_ancestor_id_territory_level" ON "ancestries" ("ancestor_id", "territory_level");
