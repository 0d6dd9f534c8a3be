// SPDX-License-Identifier: MIT
#include "lib.h"

/*
 * String instructions, not loops: the compiler turns a copy or fill loop
 * into a call to memcpy/memset, which here would call itself.
 */
void *memset(void *dst, int c, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep movsb"
			 : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	if ((uintptr_t)dst - (uintptr_t)src >= n)
		return memcpy(dst, src, n);	/* no harmful overlap */
	/* dst overlaps the tail of src: copy backwards. */
	char *d = (char *)dst + n - 1;
	const char *s = (const char *)src + n - 1;

	__asm__ volatile("std; rep movsb; cld"
			 : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (size_t i = 0; i < n; i++)
		if (p[i] != q[i])
			return p[i] < q[i] ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t str_nlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

bool word_is(const char *w, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(w, s, n) == 0;
}

size_t next_word(const char **p, const char *end, const char **word)
{
	const char *s = *p;
	size_t n = 0;

	while (s < end && *s == ' ')
		s++;
	while (s + n < end && s[n] != ' ')
		n++;
	*word = s;
	*p = s + n;
	return n;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

bool parse_u64(const char *s, size_t n, unsigned base, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d = digit_value(s[i]);

		if (d >= base || v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

bool parse_i64(const char *s, size_t n, int64_t *out)
{
	bool neg = n > 0 && s[0] == '-';
	uint64_t v;

	if (neg) {
		s++;
		n--;
	}
	if (!parse_u64(s, n, 10, &v) || v > INT64_MAX)
		return false;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return true;
}

/* Strict: overlong forms, surrogates and truncated sequences are bad. */
uint32_t utf8_next(const uint8_t **pp, const uint8_t *end)
{
	const uint8_t *p = *pp;
	uint32_t c = *p++, min;
	int more;

	if (c < 0x80) {
		more = 0;
		min = 0;
	} else if ((c & 0xe0) == 0xc0) {
		more = 1;
		c &= 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		more = 2;
		c &= 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		more = 3;
		c &= 0x07;
		min = 0x10000;
	} else {
		*pp = p;
		return UTF8_BAD;
	}
	for (; more; more--) {
		if (p == end || (*p & 0xc0) != 0x80) {
			*pp = p;
			return UTF8_BAD;
		}
		c = c << 6 | (*p++ & 0x3f);
	}
	*pp = p;
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return UTF8_BAD;
	return c;
}

void line_init(struct line *l)
{
	l->len = 0;
	l->buf[0] = 0;
}

void line_mem(struct line *l, const char *s, size_t n)
{
	size_t room = sizeof(l->buf) - 1 - l->len;

	if (n > room)
		n = room;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = 0;
}

void line_str(struct line *l, const char *s)
{
	line_mem(l, s, strlen(s));
}

static void line_num(struct line *l, uint64_t v, unsigned base)
{
	char tmp[20];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	line_mem(l, tmp + i, sizeof(tmp) - i);
}

void line_dec(struct line *l, uint64_t v)
{
	line_num(l, v, 10);
}

void line_hex(struct line *l, uint64_t v)
{
	line_num(l, v, 16);
}
