package core

// sqlEventActor joins an event (alias ev) to who did it, defined once for
// every list of events that names them (the subject access export, the
// data protection requests, a referral's timeline). An event's actor_id is
// a member of staff's id or a partner system's id, as its actor_kind says:
// joined to staff alone, a partner system's act would be credited to
// whichever member of staff has the same id, and to their agency.
//
// It gives act.name (the member of staff's or the partner system's name;
// "" for the client, Onward itself, or an actor since removed),
// act.role (a member of staff's role, else ""), and act.agency_id and
// act.agency: the agency they acted for, the one the event recorded when
// it did (data.agency_id, so a member of staff who has since moved stays
// with the agency they were at), else the staff member's or partner
// system's own; 0 and "" for none (the client, Onward, a network-wide
// partner system).
const sqlEventActor = `
LEFT JOIN LATERAL (
  SELECT coalesce(s.name, p.name, '') AS name, coalesce(s.role, '') AS role,
         coalesce(a.id, 0) AS agency_id, coalesce(a.name, '') AS agency
  FROM (SELECT 1) AS one
  LEFT JOIN staff s ON ev.actor_kind = 'staff' AND s.id = ev.actor_id
  LEFT JOIN partners p ON ev.actor_kind = 'partner' AND p.id = ev.actor_id
  LEFT JOIN agencies a ON ev.actor_kind IN ('staff', 'partner')
        AND a.id = coalesce(nullif(ev.data->>'agency_id', '0')::bigint, s.agency_id, p.agency_id)
) AS act ON true`

// sqlEventActedFor is the condition that an event (alias ev) was done for
// the agency $N: sqlEventActor's act.agency_id = $N, written so that
// indexes can serve it rather than every event being joined to its actor
// first. The agency the event recorded (data.agency_id, "0" for none) is
// matched by events_actor_agency_idx (migration 050); an event that
// recorded none falls back to its actor's own agency, matched by
// events_actor_idx (migration 046) on the ids of the agency's staff and
// partner systems. Only staff and partner systems act for an agency. The
// agency must exist, as act.agency_id is 0 for one that does not.
const sqlEventActedFor = `(ev.actor_kind IN ('staff', 'partner') AND nullif(ev.data->>'agency_id', '0')::bigint = $N
   OR nullif(ev.data->>'agency_id', '0') IS NULL
      AND (ev.actor_kind = 'staff' AND ev.actor_id = ANY (ARRAY(SELECT s.id FROM staff s WHERE s.agency_id = $N))
        OR ev.actor_kind = 'partner' AND ev.actor_id = ANY (ARRAY(SELECT p.id FROM partners p WHERE p.agency_id = $N))))`

// partnerSystemWords names a partner system as a client or a data
// protection officer reads it: "WR casework (partner system of Kingdom
// Council Welfare Rights)", or the network's when it acts for no one
// agency, and "a partner system (of …)" when its name is gone.
func partnerSystemWords(name, agency string) string {
	switch {
	case name == "" && agency == "":
		return "a partner system"
	case name == "":
		return "a partner system of " + agency
	case agency == "":
		return name + " (the network's partner system)"
	}
	return name + " (partner system of " + agency + ")"
}

// actorWords names who did something, as the data protection officer's
// list and the audit search show it, with the agency they acted for:
// "the client" and "Onward" with none, a partner system as "X (partner
// system)", and a member of staff or partner system whose name is gone
// as "a former member of staff" or "a partner system". name and agency
// are sqlEventActor's act.name and act.agency.
func actorWords(kind ActorKind, name, agency string) (string, string) {
	switch {
	case kind == ActorClient:
		return "the client", ""
	case kind == ActorPartner && name == "":
		return "a partner system", agency
	case kind == ActorPartner:
		return name + " (partner system)", agency
	case kind != ActorStaff:
		return "Onward", ""
	case name == "":
		return "a former member of staff", agency
	}
	return name, agency
}
