package bot

import "net/http"

func (b *Bot) adminStaff(w http.ResponseWriter, r *http.Request, s session)     {}
func (b *Bot) inviteStaff(w http.ResponseWriter, r *http.Request, s session)    {}
func (b *Bot) changeStaff(w http.ResponseWriter, r *http.Request, s session)    {}
func (b *Bot) adminAgencies(w http.ResponseWriter, r *http.Request, s session)  {}
func (b *Bot) newAgencyForm(w http.ResponseWriter, r *http.Request, s session)  {}
func (b *Bot) createAgency(w http.ResponseWriter, r *http.Request, s session)   {}
func (b *Bot) retireAgency(w http.ResponseWriter, r *http.Request, s session)   {}
func (b *Bot) ownServices(w http.ResponseWriter, r *http.Request, s session)    {}
func (b *Bot) ownServiceForm(w http.ResponseWriter, r *http.Request, s session) {}
func (b *Bot) saveOwnService(w http.ResponseWriter, r *http.Request, s session) {}
