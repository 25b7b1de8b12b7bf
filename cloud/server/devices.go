package server

import (
	"net/http"

	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/syncwire"
)

func (s *Server) handleEnroll(w http.ResponseWriter, r *http.Request) {
	var req syncwire.EnrollRequest
	if !s.decode(w, r, &req) {
		return
	}
	dev, shop, token, err := s.db.Enroll(r.Context(), req.Code, req.DeviceName)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	s.log.Info("device enrolled", "shop", shop.ID, "device", dev.ID, "role", dev.Role)
	s.reply(w, r, http.StatusOK, syncwire.EnrollResponse{
		Token: token, DeviceID: dev.ID, ShopID: shop.ID, ShopName: shop.Name, Owner: dev.Owner, Role: dev.Role,
		Epoch: s.db.Epoch(), ShopTag: shop.Tag,
	})
}

func (s *Server) handleDevices(w http.ResponseWriter, r *http.Request) {
	devs, err := s.db.Devices(r.Context(), deviceOf(r).ShopID)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	resp := syncwire.DevicesResponse{Devices: []syncwire.Device{}}
	for _, d := range devs {
		resp.Devices = append(resp.Devices, apiDevice(d))
	}
	s.reply(w, r, http.StatusOK, resp)
}

// apiDevice converts a stored device to its wire form; a name stored before names
// were cleaned on enrollment is cleaned here.
func apiDevice(d store.Device) syncwire.Device {
	return syncwire.Device{ID: d.ID, Name: store.CleanName(d.Name), Owner: d.Owner, Role: d.Role, CreatedAt: d.CreatedAt, RevokedAt: d.RevokedAt}
}

func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	dev := deviceOf(r)
	// Scoped to the caller's shop: another shop's device id is simply not found.
	if err := s.db.Revoke(r.Context(), dev.ShopID, r.PathValue("id")); err != nil {
		s.storeError(w, r, err)
		return
	}
	s.log.Info("device revoked", "shop", dev.ShopID, "device", r.PathValue("id"), "by", dev.ID)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleCode(w http.ResponseWriter, r *http.Request) {
	var req syncwire.CodeRequest
	if !s.decode(w, r, &req) {
		return
	}
	role := req.Role
	if role == "" {
		// An app from before roles asks for an owner or a cashier's device.
		role = syncwire.RoleTill
		if req.Owner {
			role = syncwire.RoleOwner
		}
	}
	code, err := s.db.NewCode(r.Context(), deviceOf(r).ShopID, role)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	s.reply(w, r, http.StatusCreated, syncwire.CodeResponse{Code: code.Code, Owner: code.Owner, Role: code.Role, ExpiresAt: code.ExpiresAt})
}

func (s *Server) handleOverdrawn(w http.ResponseWriter, r *http.Request) {
	list, err := s.db.Overdrawn(r.Context(), deviceOf(r).ShopID)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	s.reply(w, r, http.StatusOK, syncwire.OverdrawnResponse{Overdrawn: list})
}
