package bot

// A staff page that comes back with an error summary (a form refused for
// what was typed or chosen in it, or an action refused as a whole) has a
// <title> beginning "Error: ", as the GOV.UK error summary pattern asks,
// so that a screen reader says so first. The layout asks errorTitle; each
// kind of page data says for itself whether it shows an error summary.

// errorPage is the data of a staff page that can show an error summary.
type errorPage interface {
	showsError() bool
}

// errorTitle is what the layout's <title> begins with: "Error: " for a
// page showing an error summary, else nothing.
func errorTitle(data any) string {
	if p, ok := data.(errorPage); ok && p.showsError() {
		return "Error: "
	}
	return ""
}

// showsError: the layout's "That didn't work", or a page's summary of
// problems with its fields.
func (c chrome) showsError() bool { return c.Error != "" || len(c.Errors) > 0 }

func (p page) showsError() bool { return p.Error != "" || len(p.Errors) > 0 }

func (v directoryView) showsError() bool { return v.Error != "" || len(v.Errors) > 0 }

func (v partnersView) showsError() bool { return v.Error != "" || len(v.Errors) > 0 }

func (v reportsView) showsError() bool { return v.Error != "" }

// showsError: the email settings page shows its own summary of a
// refused choice (Problem), besides the layout's.
func (p settingsEmailPage) showsError() bool { return p.Problem != "" || p.page.showsError() }
