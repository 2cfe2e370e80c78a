package hierarchy

import (
	"errors"
	"fmt"
)

// Source is what the hierarchy is built from: the official lists of regions, departments,
// EPCI and communes, and the CRTE perimeters.
type Source struct {
	Regions     []Territory // Key.Level Region; Name.
	Departments []DepartmentRecord
	EPCIs       []Territory // Key.Level EPCI; Name, Nature, SIREN.
	Communes    []CommuneRecord
	CRTEs       []CRTEPerimeter
}

// DepartmentRecord is a department and its region's code.
type DepartmentRecord struct {
	Code, Name, Region string
}

// CommuneRecord is a current commune with its department and EPCI (empty when it has none, as
// for a few islands).
type CommuneRecord struct {
	Code, Name, SIREN, Department, EPCI string
	Population                          int64
	PostalCodes                         []string
}

// CRTEPerimeter is a CRTE and its member groupings: EPCI or communes.
type CRTEPerimeter struct {
	Code, Name string
	Members    []Key
}

// Build checks a source and computes the whole graph: territories with their
// populations, direct memberships and the weighted ancestry.
func Build(src Source) (*Graph, error) {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	g := &Graph{}
	terr := map[Key]*Territory{}
	add := func(t Territory) {
		if _, dup := terr[t.Key]; dup {
			fail("duplicate territory %s", t.Key)
			return
		}
		g.Territories = append(g.Territories, t)
		terr[t.Key] = nil // filled once the slice stops growing
	}
	add(Territory{Key: Key{Country, CountryCode}, Name: "France"})
	for _, r := range src.Regions {
		add(Territory{Key: Key{Region, r.Code}, Name: r.Name})
	}
	for _, d := range src.Departments {
		add(Territory{Key: Key{Department, d.Code}, Name: d.Name})
	}
	for _, e := range src.EPCIs {
		add(Territory{Key: Key{EPCI, e.Code}, Name: e.Name, Nature: e.Nature, SIREN: e.Code})
	}
	for _, c := range src.CRTEs {
		add(Territory{Key: Key{CRTE, c.Code}, Name: c.Name})
	}
	for _, c := range src.Communes {
		add(Territory{Key: Key{Commune, c.Code}, Name: c.Name, SIREN: c.SIREN, PostalCodes: c.PostalCodes})
	}
	for i := range g.Territories {
		terr[g.Territories[i].Key] = &g.Territories[i]
	}

	regionOf := map[string]string{}
	for _, d := range src.Departments {
		if terr[Key{Region, d.Region}] == nil {
			fail("department %s: unknown region %s", d.Code, d.Region)
		}
		regionOf[d.Code] = d.Region
	}

	// The CRTE a grouping belongs to directly: at most one.
	crteOf := map[Key]string{}
	for _, c := range src.CRTEs {
		for _, m := range c.Members {
			if m.Level != EPCI && m.Level != Commune {
				fail("CRTE %s: member %s is neither an EPCI nor a commune", c.Code, m)
				continue
			}
			if terr[m] == nil {
				fail("CRTE %s: unknown member %s", c.Code, m)
				continue
			}
			if other, ok := crteOf[m]; ok && other != c.Code {
				fail("CRTE %s: member %s is already in CRTE %s", c.Code, m, other)
				continue
			}
			crteOf[m] = c.Code
		}
	}

	// containers[i] lists every territory that contains commune i, larger levels first.
	type atom struct {
		key        Key
		population int64
		containers []Key
	}
	atoms := make([]atom, 0, len(src.Communes))
	for _, c := range src.Communes {
		key := Key{Commune, c.Code}
		region, ok := regionOf[c.Department]
		if !ok {
			fail("commune %s: unknown department %s", c.Code, c.Department)
			continue
		}
		if c.Population < 0 {
			fail("commune %s: negative population %d", c.Code, c.Population)
			continue
		}
		cs := []Key{{Country, CountryCode}, {Region, region}, {Department, c.Department}}
		crte, inCRTE := crteOf[key]
		if c.EPCI != "" {
			epci := Key{EPCI, c.EPCI}
			if terr[epci] == nil {
				fail("commune %s: unknown EPCI %s", c.Code, c.EPCI)
				continue
			}
			if viaEPCI, ok := crteOf[epci]; ok {
				if inCRTE && viaEPCI != crte {
					fail("commune %s: in CRTE %s directly and in CRTE %s through EPCI %s", c.Code, crte, viaEPCI, c.EPCI)
					continue
				}
				crte, inCRTE = viaEPCI, true
			}
			if inCRTE {
				cs = append(cs, Key{CRTE, crte})
			}
			cs = append(cs, epci)
		} else if inCRTE {
			cs = append(cs, Key{CRTE, crte})
		}
		atoms = append(atoms, atom{key: key, population: c.Population, containers: cs})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	// Populations and intersections: inter[T][A] is the population of T living in A, for
	// every A larger than T; count[T][A] the number of communes, used when T is empty.
	type share struct{ population, communes int64 }
	inter := map[Key]map[Key]share{}
	total := map[Key]share{}
	for _, a := range atoms {
		self := share{a.population, 1}
		total[a.key] = self
		for i, t := range a.containers {
			tt := total[t]
			tt.population += a.population
			tt.communes++
			total[t] = tt
			for _, anc := range a.containers[:i] {
				m := inter[t]
				if m == nil {
					m = map[Key]share{}
					inter[t] = m
				}
				s := m[anc]
				s.population += a.population
				s.communes++
				m[anc] = s
			}
		}
	}
	weight := func(t Key, in share) float64 {
		tt := total[t]
		if tt.population > 0 {
			return float64(in.population) / float64(tt.population)
		}
		return float64(in.communes) / float64(tt.communes)
	}
	for i := range g.Territories {
		g.Territories[i].Population = total[g.Territories[i].Key].population
	}

	// Ancestry: self rows for every territory that has communes, then the intersections;
	// a commune's containers hold it whole.
	for _, t := range g.Territories {
		if total[t.Key].communes > 0 {
			g.Ancestry = append(g.Ancestry, Link{Child: t.Key, Parent: t.Key, Weight: 1})
		}
	}
	for _, a := range atoms {
		for _, c := range a.containers {
			g.Ancestry = append(g.Ancestry, Link{Child: a.key, Parent: c, Weight: 1})
		}
	}
	for t, m := range inter {
		for anc, s := range m {
			g.Ancestry = append(g.Ancestry, Link{Child: t, Parent: anc, Weight: weight(t, s)})
		}
	}
	sortLinks(g.Ancestry)

	// Memberships: communes in their department, EPCI and (direct) CRTE; EPCI and CRTE in
	// the departments they span and EPCI in their CRTE; departments in regions; regions in
	// the country.
	for _, a := range atoms {
		dep := a.containers[2]
		g.Memberships = append(g.Memberships, Link{Child: a.key, Parent: dep, Weight: 1})
		for _, c := range a.containers[3:] {
			if c.Level == EPCI || crteOf[a.key] == c.Code && c.Level == CRTE {
				g.Memberships = append(g.Memberships, Link{Child: a.key, Parent: c, Weight: 1})
			}
		}
	}
	for t, m := range inter {
		if t.Level != EPCI && t.Level != CRTE {
			continue
		}
		for anc, s := range m {
			direct := anc.Level == Department || (anc.Level == CRTE && crteOf[t] == anc.Code)
			if direct {
				g.Memberships = append(g.Memberships, Link{Child: t, Parent: anc, Weight: weight(t, s)})
			}
		}
	}
	for _, d := range src.Departments {
		g.Memberships = append(g.Memberships, Link{Child: Key{Department, d.Code}, Parent: Key{Region, d.Region}, Weight: 1})
	}
	for _, r := range src.Regions {
		g.Memberships = append(g.Memberships, Link{Child: r.Key, Parent: Key{Country, CountryCode}, Weight: 1})
	}
	sortLinks(g.Memberships)
	return g, nil
}
