package server

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ParseTrustedProxies reads a --trusted-proxy value: CIDRs or single addresses,
// separated by commas.
func ParseTrustedProxies(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range strings.Split(v, ",") {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q is neither an address nor a CIDR", s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// clientAddr is the address of the client: the peer's, unless the peer is a trusted
// proxy. Then it is the right-most address of X-Forwarded-For (or, without it, of
// Forwarded) that is not a trusted proxy: the entries left of it were written by
// whoever sent the request and prove nothing. X-Forwarded-For comes first because
// nginx and Caddy append to it by default; a client may send a Forwarded header that
// such a proxy passes on untouched.
func (s *Server) clientAddr(r *http.Request) string {
	peer := peerAddr(r)
	if !s.trusted(peer) {
		return addrString(peer, r.RemoteAddr)
	}
	hops := forwardedFor(r)
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(hops[i])
		if err != nil {
			// Written by a trusted proxy, yet no address ("unknown", an obfuscated
			// name): it still names one client.
			return hops[i]
		}
		if a = a.Unmap(); !s.trusted(a) {
			return a.String()
		}
	}
	if len(hops) > 0 {
		// Every hop is a proxy of ours: the first one is the client.
		return hops[0]
	}
	return addrString(peer, r.RemoteAddr)
}

func (s *Server) trusted(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func peerAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		a, _ := netip.ParseAddr(r.RemoteAddr)
		return a.Unmap()
	}
	return ap.Addr().Unmap()
}

func addrString(a netip.Addr, raw string) string {
	if a.IsValid() {
		return a.String()
	}
	return raw
}

// maxHops bounds the forwarding chain read: a client may send a long one.
const maxHops = 32

// forwardedFor returns the client addresses of X-Forwarded-For, or else of Forwarded's
// for= parameters, left to right, without ports or brackets.
func forwardedFor(r *http.Request) []string {
	var hops []string
	if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
		for _, line := range xff {
			for _, h := range strings.Split(line, ",") {
				if h = strings.TrimSpace(h); h != "" {
					hops = append(hops, hostOnly(h))
				}
			}
		}
	} else {
		for _, line := range r.Header.Values("Forwarded") {
			for _, elem := range strings.Split(line, ",") {
				for _, pair := range strings.Split(elem, ";") {
					k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
					v = strings.Trim(strings.TrimSpace(v), `"`)
					if ok && v != "" && strings.EqualFold(strings.TrimSpace(k), "for") {
						hops = append(hops, hostOnly(v))
					}
				}
			}
		}
	}
	if len(hops) > maxHops {
		hops = hops[len(hops)-maxHops:]
	}
	return hops
}

// hostOnly strips the port of "192.0.2.1:4711" and "[2001:db8::1]:4711", and the
// brackets of "[2001:db8::1]".
func hostOnly(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		return host
	}
	return strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
}

// limitKey is the key the per-address limits count a client under: its address, or
// for IPv6 its /64, which one client commonly holds whole.
func limitKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil || !a.Is6() {
		return addr
	}
	p, _ := a.Prefix(64)
	return p.String()
}
