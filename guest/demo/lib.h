/* SPDX-License-Identifier: MIT */
/*
 * The little of a C library the guest needs, and a bounded line builder
 * for the serial replies and the text area.
 */
#ifndef PORTHOLE_DEMO_LIB_H
#define PORTHOLE_DEMO_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The compiler may emit calls to these even in freestanding code. */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

size_t str_nlen(const char *s, size_t max);
/* Does the n-byte word w equal the NUL-terminated string s? */
bool word_is(const char *w, size_t n, const char *s);

/* The next space-separated word of [*p, end), or length 0 at the end. */
size_t next_word(const char **p, const char *end, const char **word);

/* Whole-word number parsers: false on junk, empty input or overflow. */
bool parse_u64(const char *s, size_t n, unsigned base, uint64_t *out);
bool parse_i64(const char *s, size_t n, int64_t *out);

/* The code point at *p (advanced past it); U+FFFD for malformed input. */
#define UTF8_BAD 0xfffd
uint32_t utf8_next(const uint8_t **p, const uint8_t *end);

/* A fixed-size line; appends that do not fit are cut, never overflow. */
struct line {
	char buf[160];
	size_t len;
};

void line_init(struct line *l);
void line_str(struct line *l, const char *s);
void line_mem(struct line *l, const char *s, size_t n);
void line_dec(struct line *l, uint64_t v);
void line_hex(struct line *l, uint64_t v);

#endif
