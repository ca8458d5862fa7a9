package reports

// sysRenameat2 is renameat2's number on linux/amd64; package syscall does
// not define it there.
const sysRenameat2 = 316
