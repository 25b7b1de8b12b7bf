// Command pecheck checks a Windows build for `make package`: a GUI executable (no
// console window opens beside the app) that carries an icon and a version resource.
//
//	go run ./packaging/pecheck dist/windows/Merci.exe
package main

import (
	"debug/pe"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
)

// Resource types of the root resource directory (winuser.h).
const (
	rtGroupIcon = 14
	rtVersion   = 16
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: pecheck FILE.exe")
		os.Exit(2)
	}
	if err := check(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "pecheck:", err)
		os.Exit(1)
	}
	fmt.Println(os.Args[1] + ": GUI executable with an icon and a version resource")
}

func check(path string) error {
	f, err := pe.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
	if !ok {
		return errors.New("not a 64-bit executable")
	}
	if oh.Subsystem != pe.IMAGE_SUBSYSTEM_WINDOWS_GUI {
		return fmt.Errorf("subsystem %d, want %d (GUI): a console would open beside the app", oh.Subsystem, pe.IMAGE_SUBSYSTEM_WINDOWS_GUI)
	}
	rsrc := f.Section(".rsrc")
	if rsrc == nil {
		return errors.New("no resources: no icon, no version")
	}
	data, err := rsrc.Data()
	if err != nil {
		return fmt.Errorf("read resources: %w", err)
	}
	types, err := resourceTypes(data)
	if err != nil {
		return err
	}
	if !types[rtGroupIcon] {
		return errors.New("no icon resource")
	}
	if !types[rtVersion] {
		return errors.New("no version resource")
	}
	return nil
}

// resourceTypes lists the ids of the resource types in a .rsrc section's root
// directory: an IMAGE_RESOURCE_DIRECTORY, a 16-byte header whose last two words count
// the named then the id entries that follow, 8 bytes each, the id first.
func resourceTypes(rsrc []byte) (map[uint32]bool, error) {
	if len(rsrc) < 16 {
		return nil, errors.New("resources too short")
	}
	named := int(binary.LittleEndian.Uint16(rsrc[12:]))
	ids := int(binary.LittleEndian.Uint16(rsrc[14:]))
	if end := 16 + 8*(named+ids); end > len(rsrc) {
		return nil, fmt.Errorf("resource directory of %d entries overruns its %d-byte section", named+ids, len(rsrc))
	}
	types := map[uint32]bool{}
	for i := named; i < named+ids; i++ {
		types[binary.LittleEndian.Uint32(rsrc[16+8*i:])] = true
	}
	return types, nil
}
