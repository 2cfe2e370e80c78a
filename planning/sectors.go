package planning

// InventorySector is the sector of the national inventory a sector belongs to: its parent
// for a subdivision (transport-voyageurs is in transports), itself otherwise. Sector
// totals (dashboard rows, roadmap rows, roll-ups by sector) add up a national sector and
// its subdivisions, so that a commitment on transports and the objectives of
// transport-voyageurs meet in one row.
func InventorySector(code string) string {
	if s, ok := SectorByCode(code); ok && s.Parent != "" {
		return s.Parent
	}
	return code
}
