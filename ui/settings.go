package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/i18n"
)

// showSettings opens the counter's settings: the language, and whatever later features
// add. applied runs after a change that needs the screen redrawn.
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
	items := []*widget.FormItem{
		widget.NewFormItem(l.T("settings.language"), langSelect),
		widget.NewFormItem(l.T("settings.appearance"), dark),
	}
	dialog.ShowForm(l.T("settings.title"), l.T("settings.save"), l.T("settings.cancel"), items, func(save bool) {
		if !save {
			return
		}
		changed := dark.Checked != u.app.Preferences().Bool(prefDark)
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
