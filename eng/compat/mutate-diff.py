#!/usr/bin/env python3
"""Header-damage differential: ours against makedumpfile 1.7.8 on a copy of a lab vmcore whose ELF
header, program headers or PT_NOTE bytes are changed (1-2 fields per case: 0, all ones, a flipped
bit, +-4096, doubled, random), both run with `-l -d 31`. Prints SAME/DIFF per case with the exit
codes; SAME needs equal exit codes and, when both succeed, the same file. Each case's bytes are
put back before the next. Seeded; writes only under SCRATCH (default .lab/scratch/mutate-diff).

    eng/compat/mutate-diff.py VMCORE COUNT SEED

Known kinds of DIFF (docs/formats/elf-vmcore.md, docs/compat/makedumpfile.md): e_phoff,
e_phentsize, EI_DATA and p_filesz > p_memsz, which 1.7.8 never checks; and VMCOREINFO values
that do not parse, which 1.7.8 refuses while we read them as missing and go on.
"""
import os, random, struct, subprocess, sys, shutil
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRATCH = os.environ.get('SCRATCH', os.path.join(ROOT, '.lab/scratch/mutate-diff'))
SRC = sys.argv[1]; N = int(sys.argv[2]); seed = int(sys.argv[3])
os.makedirs(SCRATCH, exist_ok=True)
W = os.path.join(SCRATCH, 'v.elf')
# A fresh copy every run: an interrupted run may have left a case's bytes in the old one.
shutil.copyfile(SRC, W)
os.chmod(W, 0o600)
REF = os.path.join(ROOT, '.lab/ref/bin/makedumpfile-1.7.8')
OURS = os.path.join(ROOT, 'artifacts/aot/makedumpfile/makedumpfile')
r = random.Random(seed)
f = open(W, 'r+b')
hdr = f.read(64)
phoff, = struct.unpack_from('<Q', hdr, 32); phentsize, phnum = struct.unpack_from('<HH', hdr, 54)
phdrs = []
f.seek(phoff); ph = f.read(phentsize * phnum)
for i in range(phnum):
    phdrs.append(struct.unpack_from('<IIQQQQQQ', ph, i * 56))
note = [p for p in phdrs if p[0] == 4][0]
def run(tool, d, args):
    out = os.path.join(d, 'out')
    if os.path.exists(out): os.remove(out)
    p = subprocess.run([tool] + args + [W, out], cwd=d, capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode('latin1'), p.stderr.decode('latin1')
RD, OD = os.path.join(SCRATCH, 'r'), os.path.join(SCRATCH, 'o')
os.makedirs(RD, exist_ok=True); os.makedirs(OD, exist_ok=True)
for n in range(N):
    muts = []
    for _ in range(r.randint(1, 2)):
        kind = r.choice(['ehdr', 'phdr', 'phdr', 'note', 'note'])
        if kind == 'ehdr':
            off = r.choice([4, 5, 16, 18, 32, 54, 56, 58]); size = 2 if off >= 16 and off != 32 else (8 if off == 32 else 1)
        elif kind == 'phdr':
            i = r.randrange(phnum); fld = r.choice([(0, 4), (4, 4), (8, 8), (16, 8), (24, 8), (32, 8), (40, 8), (48, 8)])
            off = phoff + i * 56 + fld[0]; size = fld[1]
        else:
            off = note[2] + r.randrange(min(note[5], 8192)); size = r.choice([1, 4])
        f.seek(off); old = f.read(size)
        v = int.from_bytes(old, 'little')
        new = r.choice([0, (1 << (8 * size)) - 1, v ^ (1 << r.randrange(8 * size)), (v + 4096) % (1 << (8 * size)), (v - 4096) % (1 << (8 * size)), v * 2 % (1 << (8 * size)), r.getrandbits(8 * size)])
        nb = new.to_bytes(size, 'little')
        f.seek(off); f.write(nb); f.flush()
        muts.append((off, old, nb, kind))
    args = ['-l', '-d', '31']
    try:
        rr = run(REF, RD, args)
    except subprocess.TimeoutExpired:
        rr = (124, '', '')
    try:
        ro = run(OURS, OD, args)
    except subprocess.TimeoutExpired:
        ro = (124, '', '')
    same_file = False
    if rr[0] == 0 and ro[0] == 0:
        same_file = subprocess.run(['cmp', '-s', os.path.join(RD, 'out'), os.path.join(OD, 'out')]).returncode == 0
    tag = 'SAME' if rr[0] == ro[0] and (rr[0] != 0 or same_file) else 'DIFF'
    desc = ' '.join(f'{k}@{o:#x}:{a.hex()}->{b.hex()}' for o, a, b, k in muts)
    print(f'{tag} n={n} ref={rr[0]} ours={ro[0]} file={"same" if same_file else "-"} {desc}', flush=True)
    if tag == 'DIFF':
        print('   ref:', (rr[2] + rr[1]).replace('\r', '\n').strip().splitlines()[-3:] if (rr[2]+rr[1]).strip() else '')
        print('   ours:', (ro[2] + ro[1]).replace('\r', '\n').strip().splitlines()[-3:] if (ro[2]+ro[1]).strip() else '')
    for o, a, b, k in reversed(muts):
        f.seek(o); f.write(a)
    f.flush()
