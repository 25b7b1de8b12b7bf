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
	if len(data) < 16 {
		return errors.New("resources too short")
	}
	// IMAGE_RESOURCE_DIRECTORY: named entries then id entries, 8 bytes each, after a
	// 16-byte header.
	named := int(binary.LittleEndian.Uint16(data[12:]))
	ids := int(binary.LittleEndian.Uint16(data[14:]))
	types := map[uint32]bool{}
	for i := named; i < named+ids && 16+8*i+8 <= len(data); i++ {
		types[binary.LittleEndian.Uint32(data[16+8*i:])] = true
	}
	if !types[rtGroupIcon] {
		return errors.New("no icon resource")
	}
	if !types[rtVersion] {
		return errors.New("no version resource")
	}
	return nil
}
