/**
 * C added to fuse-native's addon (see build.ts): the attributes of the last directory
 * listing, answered to getattr in libfuse's own thread. `ls -l` lists a directory and then
 * looks up every name; through fuse-native each lookup is a hand-off to the JavaScript
 * thread and back (about 80 µs), and here it is a table lookup.
 *
 * The rules are those of `../listed-attrs.ts`, which JavaScript keeps as the fallback when
 * this addon is not built: each entry answers once; JavaScript clears the table when any
 * operation that may change attributes starts; the table is dropped after `max_age` with
 * no answer from it. A getattr answered here runs beside whatever JavaScript is doing, and
 * an operation that changes attributes clears the table before it changes anything, so an
 * answer is never older than a request that had already been answered.
 *
 * Entries come as one buffer of NUL-terminated paths (raw bytes, as the kernel sends
 * them) and one of fuse-native's 18-integer stat records per path.
 */
export const LISTED_ATTRS_C = String.raw`
#include <time.h>
#define CHUNKFS_STAT_INTS 18

typedef struct {
  const char *path; /* NULL: empty slot */
  uint32_t ints[CHUNKFS_STAT_INTS];
  int taken;
} chunkfs_listed_entry_t;

static pthread_mutex_t chunkfs_listed_lock = PTHREAD_MUTEX_INITIALIZER;
static chunkfs_listed_entry_t *chunkfs_listed_slots = NULL;
static char *chunkfs_listed_paths = NULL;
static uint32_t chunkfs_listed_mask = 0;
static uint32_t chunkfs_listed_left = 0;
static uint64_t chunkfs_listed_last_ns = 0;
static uint64_t chunkfs_listed_max_age_ns = 0;
static uint32_t chunkfs_listed_hits = 0;

static uint64_t chunkfs_now_ns (void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

static uint32_t chunkfs_hash (const char *s) {
  uint32_t h = 2166136261u;
  while (*s) h = (h ^ (unsigned char) *s++) * 16777619u;
  return h;
}

/* Call with the lock held. */
static void chunkfs_listed_drop (void) {
  free(chunkfs_listed_slots);
  free(chunkfs_listed_paths);
  chunkfs_listed_slots = NULL;
  chunkfs_listed_paths = NULL;
  chunkfs_listed_mask = 0;
  chunkfs_listed_left = 0;
}

/* Copies the entry of path into ints and marks it taken: 1 if there was one to answer. */
static int chunkfs_listed_take (const char *path, uint32_t *ints) {
  int found = 0;
  pthread_mutex_lock(&chunkfs_listed_lock);
  if (chunkfs_listed_left > 0) {
    uint64_t now = chunkfs_now_ns();
    if (now - chunkfs_listed_last_ns > chunkfs_listed_max_age_ns) {
      chunkfs_listed_drop();
    } else {
      for (uint32_t i = chunkfs_hash(path) & chunkfs_listed_mask; chunkfs_listed_slots[i].path; i = (i + 1) & chunkfs_listed_mask) {
        chunkfs_listed_entry_t *e = &chunkfs_listed_slots[i];
        if (strcmp(e->path, path) != 0) continue;
        if (!e->taken) {
          memcpy(ints, e->ints, sizeof(e->ints));
          e->taken = 1;
          chunkfs_listed_left--;
          chunkfs_listed_last_ns = now;
          chunkfs_listed_hits++;
          found = 1;
        }
        break;
      }
    }
  }
  pthread_mutex_unlock(&chunkfs_listed_lock);
  return found;
}

static int chunkfs_getattr (const char *path, struct stat *stat) {
  uint32_t ints[CHUNKFS_STAT_INTS];
  if (chunkfs_listed_take(path, ints)) {
    populate_stat(ints, stat);
    return 0;
  }
  return fuse_native_getattr(path, stat);
}

/* chunkfs_listed_fill(paths, stats, count, maxAgeMs): replaces the table. */
NAPI_METHOD(chunkfs_listed_fill) {
  NAPI_ARGV(4)
  NAPI_ARGV_BUFFER(paths, 0)
  NAPI_ARGV_BUFFER_CAST(uint32_t *, stats, 1)
  NAPI_ARGV_UINT32(count, 2)
  NAPI_ARGV_UINT32(max_age_ms, 3)
  if (stats_len < (size_t) count * CHUNKFS_STAT_INTS * sizeof(uint32_t)) {
    napi_throw_range_error(env, NULL, "chunkfs_listed_fill: fewer stat records than paths");
    return NULL;
  }
  uint32_t cap = 16;
  while (cap < count * 2) cap *= 2;
  chunkfs_listed_entry_t *slots = count ? calloc(cap, sizeof(chunkfs_listed_entry_t)) : NULL;
  char *copy = count ? malloc(paths_len) : NULL;
  if (count && (!slots || !copy)) {
    free(slots);
    free(copy);
    count = 0;
  }
  if (count) {
    memcpy(copy, paths, paths_len);
    const char *p = copy;
    const char *end = copy + paths_len;
    for (uint32_t n = 0; n < count; n++) {
      const char *nul = memchr(p, 0, end - p);
      if (!nul) {
        free(slots);
        free(copy);
        napi_throw_range_error(env, NULL, "chunkfs_listed_fill: fewer paths than count");
        return NULL;
      }
      uint32_t i = chunkfs_hash(p) & (cap - 1);
      while (slots[i].path) i = (i + 1) & (cap - 1);
      slots[i].path = p;
      memcpy(slots[i].ints, stats + (size_t) n * CHUNKFS_STAT_INTS, sizeof(slots[i].ints));
      p = nul + 1;
    }
  }
  pthread_mutex_lock(&chunkfs_listed_lock);
  chunkfs_listed_drop();
  chunkfs_listed_slots = slots;
  chunkfs_listed_paths = copy;
  chunkfs_listed_mask = cap - 1;
  chunkfs_listed_left = count;
  chunkfs_listed_last_ns = chunkfs_now_ns();
  chunkfs_listed_max_age_ns = (uint64_t) max_age_ms * 1000000ULL;
  pthread_mutex_unlock(&chunkfs_listed_lock);
  return NULL;
}

NAPI_METHOD(chunkfs_listed_clear) {
  pthread_mutex_lock(&chunkfs_listed_lock);
  if (chunkfs_listed_left > 0 || chunkfs_listed_slots) chunkfs_listed_drop();
  pthread_mutex_unlock(&chunkfs_listed_lock);
  return NULL;
}

/* Getattrs answered from the table since the addon loaded. */
NAPI_METHOD(chunkfs_listed_answered) {
  pthread_mutex_lock(&chunkfs_listed_lock);
  uint32_t hits = chunkfs_listed_hits;
  pthread_mutex_unlock(&chunkfs_listed_lock);
  NAPI_RETURN_UINT32(hits)
}
`;
