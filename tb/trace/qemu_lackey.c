/* A QEMU TCG plugin that writes a program's memory accesses and system calls as
 * valgrind lackey does (--trace-mem=yes --trace-syscalls=yes -v), for programs valgrind
 * cannot run here: a 32-bit x86 program on a host kernel without IA32 emulation runs
 * under qemu-i386 (Debian's qemu-user) with this plugin. scripts/capture-trace --m32
 * loads it; the log it writes is read like valgrind's (tb/trace/lackey.h):
 *
 *   ==PID== mmvp-qemu-lackey: qemu-i386 ...            header
 *   --PID-- Arch and hwcaps: X86, LittleEndian, qemu   the ABI (AMD64 for qemu-x86_64)
 *   I  08049000,3                                      an instruction of 3 bytes
 *    L bffff6c0,4  / S ... / M ...                     its loads, stores, modifies
 *   SYSCALL[PID,1](192) sys_mmap2 ( 0x0, 0x2000, ... ) --> [pre-success] Success(0x..)
 *
 * A load followed in the same instruction by a store of the same address and size is
 * one M record, as lackey merges them. A call's result comes from the return callback;
 * exit and exit_group, which do not return, are written when they are made. The path
 * of an open/openat is the one its new fd names (/proc/self/fd: qemu-user passes the
 * guest's fds through), so a file mmap carries it as in valgrind's log.
 *
 *   qemu-i386 -plugin libmmvp-qemu-lackey.so,out=FILE PROGRAM ARGS...
 *
 * The plugin API is declared here (QEMU_PLUGIN_VERSION 1, include/qemu/qemu-plugin.h of
 * QEMU 7.2, Debian 12's) since Debian ships no header for it. Single-threaded programs:
 * the callbacks of every vCPU write one stream. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* --- The QEMU plugin API (version 1) ---------------------------------------------- */
typedef uint64_t qemu_plugin_id_t;
typedef uint32_t qemu_plugin_meminfo_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
typedef struct {
  const char* target_name; /* "i386", "x86_64" */
  struct {
    int min, cur;
  } version;
  bool system_emulation;
} qemu_info_t;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_mem_rw { QEMU_PLUGIN_MEM_R = 1, QEMU_PLUGIN_MEM_W, QEMU_PLUGIN_MEM_RW };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t, struct qemu_plugin_tb*);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int, void*);
typedef void (*qemu_plugin_vcpu_mem_cb_t)(unsigned int, qemu_plugin_meminfo_t, uint64_t, void*);
typedef void (*qemu_plugin_vcpu_syscall_cb_t)(qemu_plugin_id_t, unsigned int, int64_t, uint64_t,
                                              uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
                                              uint64_t, uint64_t);
typedef void (*qemu_plugin_vcpu_syscall_ret_cb_t)(qemu_plugin_id_t, unsigned int, int64_t, int64_t);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t, void*);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t, qemu_plugin_vcpu_tb_trans_cb_t);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn*, qemu_plugin_vcpu_udata_cb_t,
                                            enum qemu_plugin_cb_flags, void*);
void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn*, qemu_plugin_vcpu_mem_cb_t,
                                      enum qemu_plugin_cb_flags, enum qemu_plugin_mem_rw, void*);
void qemu_plugin_register_vcpu_syscall_cb(qemu_plugin_id_t, qemu_plugin_vcpu_syscall_cb_t);
void qemu_plugin_register_vcpu_syscall_ret_cb(qemu_plugin_id_t, qemu_plugin_vcpu_syscall_ret_cb_t);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t, qemu_plugin_udata_cb_t, void*);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb*);
struct qemu_plugin_insn* qemu_plugin_tb_get_insn(const struct qemu_plugin_tb*, size_t);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn*);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn*);
unsigned int qemu_plugin_mem_size_shift(qemu_plugin_meminfo_t);
bool qemu_plugin_mem_is_store(qemu_plugin_meminfo_t);

#define EXPORT __attribute__((visibility("default")))
EXPORT int qemu_plugin_version = 1;

/* --- The log ------------------------------------------------------------------------ */
static FILE* out;
static int pid;
static bool target32;  /* i386: 32-bit registers, results and syscall numbers */
static bool load_held; /* a load of the current instruction not yet written */
static uint64_t held_addr;
static unsigned held_size;
static struct {
  bool active;
  int64_t nr;
  uint64_t arg[6];
} call;

/* Numbers of the calls whose name or special handling matters, per ABI. */
struct abi_numbers {
  int64_t open, openat, exit, exit_group;
};
static const struct abi_numbers nr32 = {5, 295, 1, 252}, nr64 = {2, 257, 60, 231};
static const struct abi_numbers* nr;

static const char* call_name(int64_t n) {
  static const struct {
    int64_t n32, n64;
    const char* name;
  } names[] = {{192, -1, "sys_mmap2"},    {-1, 9, "sys_mmap"},     {91, 11, "sys_munmap"},
               {125, 10, "sys_mprotect"}, {45, 12, "sys_brk"},     {163, 25, "sys_mremap"},
               {219, 28, "sys_madvise"},  {5, 2, "sys_open"},      {295, 257, "sys_openat"},
               {6, 3, "sys_close"},       {3, 0, "sys_read"},      {4, 1, "sys_write"},
               {1, 60, "exit"},           {252, 231, "exit_group"}};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i)
    if ((target32 ? names[i].n32 : names[i].n64) == n) return names[i].name;
  return "sys_other";
}

static void flush_load(void) {
  if (load_held) fprintf(out, " L %08" PRIx64 ",%u\n", held_addr, held_size);
  load_held = false;
}

static void on_insn(unsigned int vcpu, void* udata) {
  (void)vcpu;
  const uintptr_t packed = (uintptr_t)udata; /* vaddr << 4 | size (x86: at most 15) */
  flush_load();
  fprintf(out, "I  %08" PRIx64 ",%u\n", (uint64_t)(packed >> 4), (unsigned)(packed & 15));
}

static void on_mem(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void* udata) {
  (void)vcpu;
  (void)udata;
  const unsigned size = 1u << qemu_plugin_mem_size_shift(info);
  if (!qemu_plugin_mem_is_store(info)) {
    flush_load();
    load_held = true;
    held_addr = vaddr;
    held_size = size;
    return;
  }
  if (load_held && held_addr == vaddr && held_size == size) {
    load_held = false;
    fprintf(out, " M %08" PRIx64 ",%u\n", vaddr, size);
    return;
  }
  flush_load();
  fprintf(out, " S %08" PRIx64 ",%u\n", vaddr, size);
}

static void on_tb(qemu_plugin_id_t id, struct qemu_plugin_tb* tb) {
  (void)id;
  const size_t n = qemu_plugin_tb_n_insns(tb);
  for (size_t i = 0; i < n; ++i) {
    struct qemu_plugin_insn* insn = qemu_plugin_tb_get_insn(tb, i);
    const uintptr_t packed =
        (uintptr_t)(qemu_plugin_insn_vaddr(insn) << 4) | (qemu_plugin_insn_size(insn) & 15);
    qemu_plugin_register_vcpu_insn_exec_cb(insn, on_insn, QEMU_PLUGIN_CB_NO_REGS, (void*)packed);
    qemu_plugin_register_vcpu_mem_cb(insn, on_mem, QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_RW,
                                     NULL);
  }
}

static void write_call(int64_t result) {
  flush_load();
  fprintf(out, "SYSCALL[%d,1](%" PRId64 ") %s ( ", pid, call.nr, call_name(call.nr));
  const int path_arg = call.nr == nr->openat ? 1 : call.nr == nr->open ? 0 : -1;
  for (int i = 0; i < 6; ++i) {
    fprintf(out, "%s%#" PRIx64, i ? ", " : "", call.arg[i]);
    if (i == path_arg && result >= 0) {
      char link[64], path[PATH_MAX];
      snprintf(link, sizeof link, "/proc/self/fd/%" PRId64, result);
      const ssize_t len = readlink(link, path, sizeof path - 1);
      if (len > 0) fprintf(out, "(%.*s)", (int)len, path);
    }
  }
  if (result < 0)
    fprintf(out, " ) --> [pre-fail] Failure(%#" PRIx64 ")\n", (uint64_t)-result);
  else
    fprintf(out, " ) --> [pre-success] Success(%#" PRIx64 ")\n", (uint64_t)result);
}

static void on_syscall(qemu_plugin_id_t id, unsigned int vcpu, int64_t num, uint64_t a1,
                       uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6, uint64_t a7,
                       uint64_t a8) {
  (void)id;
  (void)vcpu;
  (void)a7;
  (void)a8;
  const uint64_t mask = target32 ? 0xffffffffu : UINT64_MAX;
  call.active = true;
  call.nr = num;
  call.arg[0] = a1 & mask;
  call.arg[1] = a2 & mask;
  call.arg[2] = a3 & mask;
  call.arg[3] = a4 & mask;
  call.arg[4] = a5 & mask;
  call.arg[5] = a6 & mask;
  if (num == nr->exit || num == nr->exit_group) {
    write_call(0); /* it does not return */
    call.active = false;
    fflush(out);
  }
}

static void on_syscall_ret(qemu_plugin_id_t id, unsigned int vcpu, int64_t num, int64_t ret) {
  (void)id;
  (void)vcpu;
  if (!call.active || num != call.nr) return;
  call.active = false;
  /* A 32-bit result is EAX: -4095..-1 is -errno, anything else an unsigned value. */
  if (target32) ret = (uint32_t)ret >= 0xfffff001u ? (int32_t)ret : (int64_t)(uint32_t)ret;
  write_call(ret);
}

static void on_exit_(qemu_plugin_id_t id, void* udata) {
  (void)id;
  (void)udata;
  flush_load();
  fclose(out);
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t* info, int argc,
                               char** argv) {
  const char* path = NULL;
  for (int i = 0; i < argc; ++i)
    if (strncmp(argv[i], "out=", 4) == 0) path = argv[i] + 4;
  if (!path) {
    fprintf(stderr, "mmvp-qemu-lackey: give the log file: -plugin ...,out=FILE\n");
    return -1;
  }
  if (info->system_emulation) {
    fprintf(stderr, "mmvp-qemu-lackey: a user-mode plugin (qemu-i386, qemu-x86_64)\n");
    return -1;
  }
  out = fopen(path, "w");
  if (!out) {
    perror(path);
    return -1;
  }
  setvbuf(out, NULL, _IOFBF, 1 << 20);
  pid = (int)getpid();
  target32 = strcmp(info->target_name, "x86_64") != 0;
  nr = target32 ? &nr32 : &nr64;
  fprintf(out, "==%d== mmvp-qemu-lackey: qemu-%s, valgrind lackey's trace format\n", pid,
          info->target_name);
  fprintf(out, "--%d-- Arch and hwcaps: %s, LittleEndian, qemu\n", pid, target32 ? "X86" : "AMD64");
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb);
  qemu_plugin_register_vcpu_syscall_cb(id, on_syscall);
  qemu_plugin_register_vcpu_syscall_ret_cb(id, on_syscall_ret);
  qemu_plugin_register_atexit_cb(id, on_exit_, NULL);
  return 0;
}
