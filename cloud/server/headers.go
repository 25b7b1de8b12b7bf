package server

import (
	"net/http"
	"strings"
)

// secureHeaders sets the headers every answer carries: no content sniffing, and HSTS
// when the client reached us over TLS, here or at a trusted proxy, so that a browser
// opening a card page never falls back to plain HTTP.
func (s *Server) secureHeaders(h http.Header, r *http.Request) {
	h.Set("X-Content-Type-Options", "nosniff")
	if r.TLS != nil || s.trusted(peerAddr(r)) && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
}

// bearerToken returns the token of an "Authorization: Bearer TOKEN" header. The
// scheme is case-insensitive (RFC 9110, section 11.1).
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}
