package server

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/merci-loyalty/merci/syncwire"
)

// Who may call what, besides push and pull, which every device may (the store holds
// each change of a push to the device's role).
var (
	ownerOnly     = []syncwire.Role{syncwire.RoleOwner}
	ownerAndTills = []syncwire.Role{syncwire.RoleOwner, syncwire.RoleTill}
)

// only admits the devices whose role is one of roles; the others get a 403 that says
// which device to use.
func (s *Server) only(roles []syncwire.Role, next http.HandlerFunc) http.HandlerFunc {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	msg := fmt.Sprintf("this device is a %%s: only a device of role %s may do this", strings.Join(names, " or "))
	if len(roles) == 1 && roles[0] == syncwire.RoleOwner {
		msg = "this device is a %s: only the owner's device may do this"
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if role := deviceOf(r).Role; !slices.Contains(roles, role) {
			s.fail(w, r, http.StatusForbidden, syncwire.ErrCodeForbidden, fmt.Sprintf(msg, role), nil)
			return
		}
		next(w, r)
	}
}
