/* The latency staircase measured natively on this machine: the same dependent pointer
 * chase as `mmvp latency` (tb/latency/lat_mem_rd.cpp): a random cyclic chain, one
 * element every STRIDE bytes of the working set (page-strided elements moved by a line
 * each), in memory mmap'ed with 4 KB pages (MADV_NOHUGEPAGE), chased with dependent
 * loads and timed with CLOCK_MONOTONIC. Writes the same CSV columns (the TLB and cache
 * counts it cannot see are left empty); cycles come from --mhz (default: the clock in
 * /proc/cpuinfo).
 *
 *   lat_chase_native [--from 4K] [--to 1G] [--strides 64,4096] [--mhz N]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static uint64_t parse_size(const char *s) {
  char *end = NULL;
  uint64_t v = strtoull(s, &end, 10);
  switch (*end) {
    case 'K': case 'k': v <<= 10; break;
    case 'M': case 'm': v <<= 20; break;
    case 'G': case 'g': v <<= 30; break;
    case '\0': break;
    default: fprintf(stderr, "lat_chase_native: '%s' is not a size\n", s); exit(2);
  }
  return v;
}

static uint64_t rng_state = 1;
static uint64_t rng(void) {  /* xorshift64 */
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static double cpuinfo_mhz(void) {
  FILE *f = fopen("/proc/cpuinfo", "r");
  char line[256];
  double mhz = 0;
  if (!f) return 0;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "cpu MHz : %lf", &mhz) == 1) break;
  fclose(f);
  return mhz;
}

static uint64_t clamp(uint64_t v, uint64_t lo, uint64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

int main(int argc, char **argv) {
  uint64_t from = 4096, to = 1ULL << 30, strides[8] = {64, 4096};
  int nstrides = 2;
  double mhz = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--from")) from = parse_size(argv[i + 1]);
    else if (!strcmp(argv[i], "--to")) to = parse_size(argv[i + 1]);
    else if (!strcmp(argv[i], "--mhz")) mhz = atof(argv[i + 1]);
    else if (!strcmp(argv[i], "--strides")) {
      nstrides = 0;
      for (char *s = strtok(argv[i + 1], ","); s && nstrides < 8; s = strtok(NULL, ","))
        strides[nstrides++] = parse_size(s);
    } else {
      fprintf(stderr, "lat_chase_native: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (mhz <= 0) mhz = cpuinfo_mhz();
  if (mhz <= 0) {
    fprintf(stderr, "lat_chase_native: no clock in /proc/cpuinfo; give --mhz\n");
    return 2;
  }
  printf("stride,bytes,loads,cycles_per_load,ns_per_load,dtlb_misses_per_load,"
         "stlb_misses_per_load,l1d_misses_per_load,l2_misses_per_load,llc_misses_per_load,"
         "walk_cycles_per_load,mhz\n");
  for (int s = 0; s < nstrides; ++s) {
    const uint64_t stride = strides[s];
    for (uint64_t bytes = from; bytes <= to; bytes <<= 1) {
      if (bytes < stride) continue;
      const uint64_t n = bytes / stride;
      char *mem = mmap(NULL, bytes + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (mem == MAP_FAILED) {
        fprintf(stderr, "lat_chase_native: mmap %llu bytes: %s\n", (unsigned long long)bytes, strerror(errno));
        return 1;
      }
      madvise(mem, bytes + 4096, MADV_NOHUGEPAGE);
      uint64_t *order = malloc(n * sizeof *order);
      if (!order) return 1;
      const uint64_t lines_per_stride = stride >= 4096 ? 4096 / 64 : 1;
      for (uint64_t i = 0; i < n; ++i) order[i] = i * stride + (i % lines_per_stride) * 64;
      rng_state = 0x9E3779B97F4A7C15ULL ^ bytes ^ stride;
      for (uint64_t i = n - 1; i > 0; --i) { /* Sattolo: one cycle */
        uint64_t j = rng() % i, t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      for (uint64_t k = 0; k < n; ++k) *(void **)(mem + order[k]) = mem + order[(k + 1) % n];
      void **p = (void **)(mem + order[0]);
      free(order);
      const uint64_t warm = n < (1u << 20) ? n : (1u << 20);
      const uint64_t loads = clamp(2 * n, 1u << 16, 1u << 20) * 4;  /* more laps: host noise */
      for (uint64_t i = 0; i < warm; ++i) p = (void **)*p;
      const double t0 = now_ns();
      for (uint64_t i = 0; i < loads; ++i) p = (void **)*p;
      const double ns = (now_ns() - t0) / (double)loads;
      __asm__ volatile("" : : "r"(p));
      printf("%llu,%llu,%llu,%.2f,%.3f,,,,,,,%.0f\n", (unsigned long long)stride,
             (unsigned long long)bytes, (unsigned long long)loads, ns * mhz / 1000.0, ns, mhz);
      fflush(stdout);
      munmap(mem, bytes + 4096);
    }
  }
  return 0;
}
