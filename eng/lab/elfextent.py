#!/usr/bin/python3
"""Prints the real length of an ELF64 core: the end of its furthest extent (ELF header, program
header table, section header table, every segment's p_offset+p_filesz). Stdlib only.
  elfextent.py FILE            -> length in bytes
  elfextent.py --phdrs-at-64 FILE  -> move the program headers to offset 64 (in place)
  elfextent.py --vmcoreinfo FILE -> the VMCOREINFO note text
  elfextent.py --check FILE    -> also verify the file is an x86_64 ELF core with PT_NOTE + PT_LOAD"""
import struct, sys

def extent(path, check=False, want_notes=False):
    with open(path, "rb") as f:
        eh = f.read(64)
        if eh[:4] != b"\x7fELF" or eh[4] != 2 or eh[5] != 1:
            raise SystemExit(f"{path}: not a little-endian ELF64 file")
        e_type, e_machine = struct.unpack_from("<HH", eh, 16)
        e_phoff, e_shoff = struct.unpack_from("<QQ", eh, 32)
        e_phentsize, e_phnum, e_shentsize, e_shnum = struct.unpack_from("<HHHH", eh, 54)
        if e_phnum == 0xFFFF and e_shoff:  # PN_XNUM: real count in section 0's sh_info
            f.seek(e_shoff); sh0 = f.read(64); e_phnum = struct.unpack_from("<I", sh0, 44)[0]
        end = max(64, e_phoff + e_phnum * e_phentsize, e_shoff + e_shnum * e_shentsize if e_shoff else 0)
        if e_shoff and e_shnum:  # section contents (QEMU adds a string table at the end)
            f.seek(e_shoff); sh = f.read(e_shnum * e_shentsize)
            for i in range(e_shnum):
                sh_type, = struct.unpack_from("<I", sh, i * e_shentsize + 4)
                sh_offset, sh_size = struct.unpack_from("<QQ", sh, i * e_shentsize + 24)
                if sh_type != 8 and sh_size:  # SHT_NOBITS has no file contents
                    end = max(end, sh_offset + sh_size)
        f.seek(e_phoff)
        ph = f.read(e_phnum * e_phentsize)
        kinds = {}
        for i in range(e_phnum):
            p_type, _flags, p_offset, _va, _pa, p_filesz = struct.unpack_from("<IIQQQQ", ph, i * e_phentsize)
            kinds[p_type] = kinds.get(p_type, 0) + 1
            if p_filesz:
                end = max(end, p_offset + p_filesz)
        if check and (e_type != 4 or e_machine != 62 or 4 not in kinds or 1 not in kinds):
            raise SystemExit(f"{path}: not an x86_64 ELF core with notes and loads (type {e_type}, machine {e_machine}, phdrs {kinds})")
        if want_notes:
            notes = {}
            for i in range(e_phnum):
                p_type, _flags, p_offset, _va, _pa, p_filesz = struct.unpack_from("<IIQQQQ", ph, i * e_phentsize)
                if p_type != 4:
                    continue
                f.seek(p_offset); d = f.read(p_filesz); o = 0
                while o + 12 <= len(d):
                    nsz, dsz, typ = struct.unpack_from("<III", d, o); o += 12
                    name = d[o:o + nsz].rstrip(b"\0").decode("latin-1"); o += (nsz + 3) & ~3
                    desc = d[o:o + dsz]; o += (dsz + 3) & ~3
                    if name == "VMCOREINFO" and not nsz == 0:
                        notes.setdefault("VMCOREINFO", desc)
            return end, kinds, notes
        return end, kinds

if __name__ == "__main__":
    args = sys.argv[1:]
    check = args and args[0] == "--check"
    if check:
        args = args[1:]
    if args and args[0] == "--phdrs-at-64":
        # Rewrite an ELF64 core in place so that its program headers start at offset 64 (the
        # layout older makedumpfile versions assume); section headers are dropped. Data stay put.
        with open(args[1], "r+b") as f:
            eh = bytearray(f.read(64))
            e_phoff, = struct.unpack_from("<Q", eh, 32)
            e_phentsize, e_phnum = struct.unpack_from("<HH", eh, 54)
            if e_phoff != 64:
                f.seek(e_phoff); ph = f.read(e_phentsize * e_phnum)
                struct.pack_into("<QQ", eh, 32, 64, 0)        # e_phoff, e_shoff
                struct.pack_into("<HHH", eh, 58, 0, 0, 0)     # e_shentsize, e_shnum, e_shstrndx
                f.seek(0); f.write(eh); f.write(ph)
        sys.exit(0)
    if args and args[0] == "--vmcoreinfo":
        _, _, notes = extent(args[1], False, True)
        if "VMCOREINFO" not in notes:
            raise SystemExit(f"{args[1]}: no VMCOREINFO note")
        sys.stdout.write(notes["VMCOREINFO"].rstrip(b"\0").decode("latin-1"))
        sys.exit(0)
    n, kinds = extent(args[0], check)[:2]
    print(n)
