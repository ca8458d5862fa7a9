#!/usr/bin/env python3
# Plants each mutant of the auditor in turn, runs its tests, and reports
# whether a test killed it; every file is restored. From the repository root:
#   python3 sim/audit/internal/mutants/mutants.py
import sys,subprocess
muts = {
 "M1 boundary: last entry of each in-memory run dropped": ("sim/audit/dups.go","		if c.pos >= len(c.mem) {","		if c.pos >= len(c.mem)-1 {"),
 "M1b boundary: heap not restored with two runs": ("sim/audit/dups.go","		if len(h) > 1 {\n			down(h, 0)","		if len(h) > 2 {\n			down(h, 0)"),
 "M1c boundary: the ID that fills a piece is dropped": ("sim/audit/dups.go","	d.piece = append(d.piece, e)\n	if len(d.piece) >= d.pieceSize() {","	if len(d.piece)+1 >= d.pieceSize() {\n		return d.send()\n	}\n	d.piece = append(d.piece, e)\n	if len(d.piece) >= d.pieceSize() {"),
 "M2 memory runs ignored once anything spilled": ("sim/audit/dups.go","	for _, m := range d.mem {\n		cs = append(cs, &cursor{mem: m})\n	}\n	var first","	for _, m := range d.mem {\n		if len(d.files) == 0 {\n			cs = append(cs, &cursor{mem: m})\n		}\n	}\n	var first"),
 "M3 ordered compares low 64 bits only": ("sim/audit/audit.go","if !(s.last.Hi < id.Hi || s.last.Hi == id.Hi && s.last.Lo < id.Lo) {","if !(s.last.Lo < id.Lo) {"),
 "M4 regressions of <= 1 ms unreported": ("sim/audit/audit.go","if ts != 0 && ts < s.lastTime {","if ts != 0 && ts < s.lastTime-int64(time.Millisecond) {"),
 "M5 radix sort skips the lowest byte": ("sim/audit/dups.go","		if diffLo>>(8*b)&0xFF != 0 {","		if b > 0 && diffLo>>(8*b)&0xFF != 0 {"),
 "M6 run reader refills too late": ("sim/audit/dups.go","	if r.w-r.r < 3*binary.MaxVarintLen64 && !r.eof {","	if r.w-r.r < 1 && !r.eof {"),
 "M7 spill file delta of Lo not applied": ("sim/audit/dups.go","		e.id.Lo = r.prev.id.Lo + lo","		e.id.Lo = lo"),
}
for name,(f,a,b) in muts.items():
    s=open(f).read()
    assert s.count(a)==1,(name,s.count(a))
    open(f,'w').write(s.replace(a,b))
    try:
        r=subprocess.run(["go","test","-count=1","-timeout","300s","./sim/audit/"],capture_output=True,text=True)
        fails=[l.strip() for l in r.stdout.splitlines() if l.startswith("--- FAIL")]
        print(("KILLED " if r.returncode!=0 else "SURVIVED ")+name+": "+", ".join(fails)[:300], flush=True)
    finally:
        open(f,'w').write(s)
