package server

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/nps"
)

//go:embed survey.html
var surveyHTML string

var surveyPage = template.Must(template.New("survey").Parse(surveyHTML))

// What the survey page shows.
const (
	surveyAsk          = "ask"
	surveyThanks       = "thanks"
	surveyUsed         = "used"
	surveyExpired      = "expired"
	surveyNotFound     = "not_found"
	surveyUnavailable  = "unavailable"
	surveyUnsubscribed = "unsubscribed"
)

// surveyData is what the survey page shows: the shop, the question, and nothing of
// the customer.
type surveyData struct {
	Lang     i18n.Lang
	State    string
	ShopName string
	Logo     string
	Question string
	Scores   []int
	Picked   int // the score of a form shown again, or -1
	Comment  string
	Missing  bool // the form came without a score
	Action   string
	Leave    string // the unsubscribe page
}

// handleSurvey shows the survey of a link, or says why it cannot be answered.
func (s *Server) handleSurvey(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	link, data, status := s.surveyLink(r, token)
	if r.Method == http.MethodPost && data.State == surveyAsk {
		data, status = s.answerSurvey(r, token, link, data)
	}
	s.writeSurvey(w, r, data, status)
}

// surveyLink reads the link of token and what its page shows before any answer.
func (s *Server) surveyLink(r *http.Request, token string) (store.SurveyLink, surveyData, int) {
	link, err := s.db.Survey(r.Context(), token)
	data := surveyData{Lang: acceptLanguage(r.Header.Get("Accept-Language"), i18n.Parse(string(link.Lang))), Picked: -1}
	switch {
	case errors.Is(err, store.ErrSuspended):
		data.State = surveyUnavailable
		return link, data, http.StatusForbidden
	case errors.Is(err, store.ErrNotFound):
		data.State = surveyNotFound
		return link, data, http.StatusNotFound
	case err != nil:
		s.log.Error("survey page", "err", err)
		data.State = surveyNotFound
		return link, data, http.StatusInternalServerError
	}
	data.ShopName = link.ShopName
	if link.HasLogo {
		data.Logo = "/c/" + link.ShopTag + "/logo.png"
	}
	data.Leave = "/s/" + url.PathEscape(token) + "/unsubscribe"
	switch {
	case link.Answered:
		data.State = surveyUsed
		return link, data, http.StatusGone
	case !s.db.Now().Before(link.ExpiresAt):
		data.State = surveyExpired
		return link, data, http.StatusGone
	}
	data.State, data.Action = surveyAsk, "/s/"+url.PathEscape(token)
	data.Question = data.Lang.T("kiosk.question", link.ShopName)
	if q := strings.TrimSpace(link.Question[string(data.Lang)]); q != "" {
		data.Question = q
	}
	for i := range 11 {
		data.Scores = append(data.Scores, i)
	}
	return link, data, http.StatusOK
}

// answerSurvey records the form's answer, or shows the form again when it has no score.
func (s *Server) answerSurvey(r *http.Request, token string, link store.SurveyLink, data surveyData) (surveyData, int) {
	r.Body = http.MaxBytesReader(nil, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		data.Missing = true
		return data, http.StatusBadRequest
	}
	data.Comment = r.PostForm.Get("reason")
	score, err := strconv.Atoi(r.PostForm.Get("score"))
	if err != nil || score < 0 || score > 10 {
		data.Missing = true
		return data, http.StatusUnprocessableEntity
	}
	_, err = s.db.AnswerSurvey(r.Context(), token, score, data.Comment, nps.Lang(data.Lang), s.db.Now())
	switch {
	case err == nil:
		data.State = surveyThanks
		return data, http.StatusOK
	case errors.Is(err, store.ErrSurveyUsed):
		data.State = surveyUsed
		return data, http.StatusGone
	case errors.Is(err, store.ErrSurveyExpired):
		data.State = surveyExpired
		return data, http.StatusGone
	case errors.Is(err, store.ErrInvalid):
		data.Missing, data.Picked = true, score
		return data, http.StatusUnprocessableEntity
	}
	s.log.Error("survey answer", "shop", link.ShopID, "err", err)
	data.State = surveyNotFound
	return data, http.StatusInternalServerError
}

// handleUnsubscribe withdraws the customer's consent in one click: the link in the
// email (GET) and the mail program's own button (POST, RFC 8058) both do it.
func (s *Server) handleUnsubscribe(w http.ResponseWriter, r *http.Request) {
	link, err := s.db.UnsubscribeSurvey(r.Context(), r.PathValue("token"))
	// Without a link, link.Lang is "" and the fallback English.
	data, status := surveyData{Lang: acceptLanguage(r.Header.Get("Accept-Language"), i18n.Parse(string(link.Lang)))}, http.StatusOK
	switch {
	case err == nil:
		data.State, data.ShopName = surveyUnsubscribed, link.ShopName
		if link.HasLogo {
			data.Logo = "/c/" + link.ShopTag + "/logo.png"
		}
	case errors.Is(err, store.ErrSuspended):
		data.State, status = surveyUnavailable, http.StatusForbidden
	case errors.Is(err, store.ErrNotFound):
		data.State, status = surveyNotFound, http.StatusNotFound
	default:
		s.log.Error("survey unsubscribe", "err", err)
		data.State, status = surveyNotFound, http.StatusInternalServerError
	}
	s.writeSurvey(w, r, data, status)
}

// writeSurvey writes the survey page with the card page's headers, and a policy that
// lets its form post only here: the page works without any script.
func (s *Server) writeSurvey(w http.ResponseWriter, r *http.Request, data surveyData, status int) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Robots-Tag", "noindex")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("Vary", "Accept-Language")
	var b bytes.Buffer
	if err := surveyPage.Execute(&b, data); err != nil {
		s.log.Error("survey page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(status)
	w.Write(b.Bytes()) // the client went away
}

// SendDueSurveys makes one pass over the invitations waiting for an email, as at
// now: it queues the survey email of each that is due, in its customer's language,
// and takes out those the rules skip. It returns how many it queued. The mailer sends
// them.
func (s *Server) SendDueSurveys(ctx context.Context, now time.Time) (int, error) {
	queued := 0
	var cursor store.SurveyCursor
	for {
		list, next, err := s.db.WaitingSurveys(ctx, cursor, 100)
		if err != nil || len(list) == 0 {
			return queued, err
		}
		cursor = next
		for _, inv := range list {
			set := inv.Setting
			p := nps.EmailPolicy{Enabled: set.EmailSurveys, Delay: time.Duration(set.EmailDelayMinutes) * time.Minute,
				Throttle: time.Duration(set.ThrottleDays) * 24 * time.Hour}
			switch decision, why := p.Decide(inv.Candidate, now); decision {
			case nps.EmailSkip:
				s.log.Debug("survey by email skipped", "shop", inv.ShopID, "invitation", inv.Invite.ID, "why", why)
				if err := s.db.SkipSurvey(ctx, inv); err != nil {
					return queued, err
				}
			case nps.EmailSend:
				ok, err := s.queueSurvey(ctx, inv, now)
				if err != nil {
					return queued, err
				}
				if ok {
					queued++
				}
			}
		}
	}
}

// queueSurvey makes the link of inv and queues its email.
func (s *Server) queueSurvey(ctx context.Context, inv store.SurveyInvitation, now time.Time) (bool, error) {
	base := s.publicURL(inv)
	if base == "" {
		s.log.Warn("survey by email waits: the shop has no card page address and the server no --public-url", "shop", inv.ShopID)
		return false, nil
	}
	token, hash, err := store.NewSurveyToken()
	if err != nil {
		return false, err
	}
	// The customer's language is the one they last answered in; else the shop's.
	lang := i18n.English
	switch {
	case inv.Lang != "":
		lang = i18n.Parse(string(inv.Lang))
	case len(inv.Shop.Languages) > 0:
		lang = i18n.Parse(inv.Shop.Languages[0])
	}
	link := base + "/s/" + token
	expires := now.Add(nps.LinkTTL)
	hello := lang.T("surveymail.hello_anon")
	if name := strings.TrimSpace(inv.Customer.Name); name != "" {
		hello = lang.T("surveymail.hello", strings.Fields(name)[0])
	}
	e := store.SurveyEmail{
		TokenHash:   hash,
		Lang:        nps.Lang(lang),
		ExpiresAt:   expires,
		Subject:     lang.T("surveymail.subject", inv.ShopName),
		Text:        hello + "\n\n" + lang.T("surveymail.body", inv.ShopName, link, lang.Date(expires), link+"/unsubscribe"),
		Unsubscribe: link + "/unsubscribe",
	}
	return s.db.QueueSurvey(ctx, inv, e, now)
}

// publicURL returns the address customers reach this server at, for inv's shop: the
// origin of the shop's card pages, or the server's configured one.
func (s *Server) publicURL(inv store.SurveyInvitation) string {
	if u, err := url.Parse(inv.Shop.CloudURL); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		return u.Scheme + "://" + u.Host
	}
	return strings.TrimRight(s.cfg.PublicURL, "/")
}
