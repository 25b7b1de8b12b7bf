package ui

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/scanner"
)

// showSettings opens the counter's settings: language, camera, appearance. applied runs
// after a change that needs the screen redrawn.
func (u *UI) showSettings(w fyne.Window, applied func()) {
	l := u.lang
	names := make([]string, len(i18n.Langs))
	for i, lang := range i18n.Langs {
		names[i] = lang.Name()
	}
	langSelect := widget.NewSelect(names, nil)
	langSelect.SetSelected(u.lang.Name())
	dark := widget.NewCheck(l.T("settings.dark"), nil)
	dark.SetChecked(u.app.Preferences().Bool(prefDark))
	cameraIDs, cameraNames := []string{"", noCamera}, []string{l.T("settings.camera_first"), l.T("settings.camera_off")}
	for _, c := range scanner.Cameras() {
		cameraIDs, cameraNames = append(cameraIDs, c.ID), append(cameraNames, c.Label)
	}
	camera := widget.NewSelect(cameraNames, nil)
	current := u.app.Preferences().StringWithFallback(prefCamera, "")
	camera.SetSelectedIndex(max(slices.Index(cameraIDs, current), 0))
	items := []*widget.FormItem{
		widget.NewFormItem(l.T("settings.language"), langSelect),
		widget.NewFormItem(l.T("settings.cloud"), widget.NewButton(l.T("cloud.connect"), func() { u.showConnect(w, nil) })),
		widget.NewFormItem(l.T("tablet.title"), widget.NewButton(l.T("tablet.pair"), func() { u.showTablets(w) })),
		widget.NewFormItem(l.T("settings.camera"), camera),
		widget.NewFormItem(l.T("settings.appearance"), dark),
	}
	dialog.ShowForm(l.T("settings.title"), l.T("settings.save"), l.T("settings.cancel"), items, func(save bool) {
		if !save {
			return
		}
		changed := dark.Checked != u.app.Preferences().Bool(prefDark)
		if id := cameraIDs[max(camera.SelectedIndex(), 0)]; id != current {
			u.app.Preferences().SetString(prefCamera, id)
			changed = true
		}
		if changed {
			u.app.Preferences().SetBool(prefDark, dark.Checked)
			u.app.Settings().SetTheme(merciTheme{dark: dark.Checked})
		}
		for _, lang := range i18n.Langs {
			if lang.Name() == langSelect.Selected && lang != u.lang {
				u.setLang(lang)
				changed = true
			}
		}
		if changed {
			applied()
		}
	}, w)
}
