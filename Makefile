# chunkvisor: GNU Make only. `make` builds, `make check` tests, `make demo`
# runs the running example; `make deps` installs what the build needs.

PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
LIBDIR		?= $(PREFIX)/lib
INCLUDEDIR	?= $(PREFIX)/include
LIBEXECDIR	?= $(PREFIX)/libexec/chunkvisor
MANDIR		?= $(PREFIX)/share/man
EXAMPLEDIR	?= $(PREFIX)/share/doc/chunkvisor/examples
UNITDIR		?= $(PREFIX)/lib/systemd/system
DESTDIR		?=

VERSION		:= 0.1.0
SOVERSION	:= 0

CC		?= cc
PKG_CONFIG	?= pkg-config

ifeq ($(SANITIZE),1)
BUILD		?= build-san
SANFLAGS	:= -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=undefined
else
BUILD		?= build
SANFLAGS	:=
endif

WARNINGS	:= -Wall -Wextra -Wmissing-prototypes -Wstrict-prototypes \
		   -Wshadow -Wpointer-arith -Wcast-qual -Wsign-compare
CFLAGS		?= -O2 -g
ALL_CFLAGS	 = -std=gnu11 $(WARNINGS) $(CFLAGS) $(SANFLAGS) -fPIC -MMD -MP \
		   -Iinclude -Isrc -D_GNU_SOURCE \
		   -DLIBEXECDIR='"$(LIBEXECDIR)"' \
		   $(shell $(PKG_CONFIG) --cflags libevent inih 2>/dev/null)
ALL_LDFLAGS	 = $(LDFLAGS) $(SANFLAGS)
LIBS		 = $(shell $(PKG_CONFIG) --libs libevent inih 2>/dev/null) -lm
TEST_LIBS	 = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

# libchunkvisor: the master and the worker side.
LIB_SRCS	:= attemptlog.c chan.c chunk.c commit.c conf.c input.c journal.c \
		   log.c master.c output.c \
		   notify.c parse.c progress.c proto.c quarantine.c reduce.c \
		   relay.c reload.c shm.c \
		   slot.c spawn.c worker.c xmalloc.c
CMD_SRCS	:= main.c cmd-parse.c cmd-run.c cmd-check.c cmd-status.c
WORKERS		:= exec upper wc mean faulty
UNIT_TESTS	:= test_parse test_conf test_chunk test_proto test_reduce test_journal \
		   test_quarantine
MANS		:= man/chunkvisor.1 man/chunkvisor.ini.5 man/cv_worker_main.3

LIB_OBJS	:= $(LIB_SRCS:%.c=$(BUILD)/src/%.o)
CMD_OBJS	:= $(CMD_SRCS:%.c=$(BUILD)/src/%.o)
WORKER_BINS	:= $(WORKERS:%=$(BUILD)/workers/%)
TEST_BINS	:= $(UNIT_TESTS:%=$(BUILD)/tests/%)
STATIC_LIB	:= $(BUILD)/libchunkvisor.a
SHARED_LIB	:= $(BUILD)/libchunkvisor.so.$(VERSION)
PROGRAM		:= $(BUILD)/chunkvisor

# The Debian packages the build and the tests need, by what proves each.
DEPS_PKGCONFIG	:= libevent:libevent-dev inih:libinih-dev cmocka:libcmocka-dev
DEPS_COMMANDS	:= pkg-config:pkg-config mandoc:mandoc python3:python3 \
		   ps:procps

.PHONY: all deps check demo install uninstall clean lint fuzz bench FORCE
.DEFAULT_GOAL := all
.SECONDARY:

all: $(PROGRAM) $(WORKER_BINS) $(STATIC_LIB) $(SHARED_LIB) \
	$(BUILD)/chunkvisor.pc

# Installs what is missing when run as root; otherwise says what to run.
deps:
	@missing=""; \
	for d in $(DEPS_COMMANDS); do \
		command -v $${d%%:*} >/dev/null 2>&1 || missing="$$missing $${d#*:}"; \
	done; \
	for d in $(DEPS_PKGCONFIG); do \
		$(PKG_CONFIG) --exists $${d%%:*} 2>/dev/null || missing="$$missing $${d#*:}"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "make deps: installing$$missing"; \
			export DEBIAN_FRONTEND=noninteractive; \
			{ apt-get install -y -qq $$missing || \
			  { apt-get update -qq && apt-get install -y -qq $$missing; }; } \
			  >/dev/null || { echo "make deps: apt-get failed" >&2; exit 1; }; \
		else \
			echo "make deps: missing packages:$$missing" >&2; \
			echo "run: sudo apt-get install$$missing" >&2; \
			exit 1; \
		fi; \
	fi

$(BUILD)/src/%.o: src/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/workers/%.o: workers/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%.o: tests/unit/%.c | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null) -c -o $@ $<

$(STATIC_LIB): $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(SHARED_LIB): $(LIB_OBJS)
	$(CC) $(ALL_LDFLAGS) -shared -Wl,-soname,libchunkvisor.so.$(SOVERSION) \
		-o $@ $^ $(LIBS)

$(PROGRAM): $(CMD_OBJS) $(STATIC_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/workers/%: $(BUILD)/workers/%.o $(STATIC_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(STATIC_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(TEST_LIBS) $(LIBS)

# The install paths compiled in (LIBEXECDIR) or written out (the .pc file):
# a change of PREFIX rebuilds what depends on them.
$(BUILD)/paths.stamp: FORCE
	@mkdir -p $(@D)
	@echo '$(PREFIX) $(LIBDIR) $(INCLUDEDIR) $(LIBEXECDIR)' | \
		cmp -s - $@ 2>/dev/null || \
		echo '$(PREFIX) $(LIBDIR) $(INCLUDEDIR) $(LIBEXECDIR)' > $@
$(BUILD)/src/master.o: $(BUILD)/paths.stamp

$(BUILD)/chunkvisor.pc: Makefile $(BUILD)/paths.stamp
	@mkdir -p $(@D)
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' \
		'includedir=$(INCLUDEDIR)' '' 'Name: chunkvisor' \
		'Description: fault-tolerant chunk-parallel job supervisor (worker API)' \
		'Version: $(VERSION)' 'Libs: -L$${libdir} -lchunkvisor' \
		'Cflags: -I$${includedir}' > $@

check: all $(TEST_BINS) lint
	@BUILD=$(BUILD) SANITIZE=$(SANITIZE) sh tests/run $(TEST_BINS) \
		tests/integration/*.sh

lint: | deps
	mandoc -Tlint -W warning $(MANS)

# libFuzzer targets (clang): each runs FUZZ_SECONDS on a copy of its seed
# corpus in tests/fuzz/corpus_NAME; a crash leaves its input in $(FUZZ_BUILD).
FUZZ_SECONDS	?= 60
FUZZ_BUILD	:= build-fuzz
FUZZ_CC		?= clang
FUZZ_FLAGS	:= -g -O1 -fsanitize=fuzzer,address,undefined \
		   -fno-sanitize-recover=undefined -Iinclude -Isrc -D_GNU_SOURCE
FUZZ_conf_SRCS	:= src/conf.c src/parse.c src/log.c src/xmalloc.c
FUZZ_proto_SRCS	:= src/proto.c
FUZZ_journal_SRCS := src/journal.c src/conf.c src/parse.c src/log.c \
		   src/xmalloc.c

fuzz: | deps
	@if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n){return 0;}' | \
	    $(FUZZ_CC) -fsanitize=fuzzer -x c -o /dev/null - 2>/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "make fuzz: installing clang libclang-rt-14-dev"; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			    clang libclang-rt-14-dev >/dev/null || exit 1; \
		else \
			echo "make fuzz: needs clang with libFuzzer:" \
			    "sudo apt-get install clang libclang-rt-14-dev" >&2; \
			exit 1; \
		fi; \
	fi
	@mkdir -p $(FUZZ_BUILD)
	@set -e; for t in conf proto journal; do \
		case $$t in \
		conf) srcs="$(FUZZ_conf_SRCS)";; \
		proto) srcs="$(FUZZ_proto_SRCS)";; \
		journal) srcs="$(FUZZ_journal_SRCS)";; \
		esac; \
		libs=; [ $$t = proto ] || libs="$$($(PKG_CONFIG) --libs inih)"; \
		$(FUZZ_CC) $(FUZZ_FLAGS) -o $(FUZZ_BUILD)/fuzz_$$t \
		    tests/fuzz/fuzz_$$t.c $$srcs $$libs; \
		rm -rf $(FUZZ_BUILD)/corpus_$$t; \
		cp -r tests/fuzz/corpus_$$t $(FUZZ_BUILD)/corpus_$$t; \
		echo "fuzz_$$t: $(FUZZ_SECONDS) s"; \
		(cd $(FUZZ_BUILD) && ./fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
		    -close_fd_mask=2 -print_final_stats=1 corpus_$$t 2>fuzz_$$t.log) || \
		{ tail -n 40 $(FUZZ_BUILD)/fuzz_$$t.log; exit 1; }; \
		grep -E '^stat::number_of_executed_units' $(FUZZ_BUILD)/fuzz_$$t.log; \
	done

demo: all
	$(PROGRAM) run conf/mean.ini

# The peers to compare with; installed when run as root, else skipped.
bench: all
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq parallel \
		    python3-numpy python3-dask >/dev/null 2>&1 || \
		echo "make bench: peers not installed; skipping them"; fi
	sh bench/run $(BUILD)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBEXECDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(EXAMPLEDIR) \
		$(DESTDIR)$(UNITDIR)
	install -m 755 $(PROGRAM) $(DESTDIR)$(BINDIR)/chunkvisor
	install -m 755 $(WORKER_BINS) $(DESTDIR)$(LIBEXECDIR)/
	install -m 644 $(STATIC_LIB) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(SHARED_LIB) $(DESTDIR)$(LIBDIR)/
	ln -sf libchunkvisor.so.$(VERSION) \
		$(DESTDIR)$(LIBDIR)/libchunkvisor.so.$(SOVERSION)
	ln -sf libchunkvisor.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libchunkvisor.so
	install -m 644 $(BUILD)/chunkvisor.pc $(DESTDIR)$(LIBDIR)/pkgconfig/
	install -m 644 include/chunkvisor.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 man/chunkvisor.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 man/cv_worker_main.3 $(DESTDIR)$(MANDIR)/man3/
	install -m 644 man/chunkvisor.ini.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 644 conf/*.ini $(DESTDIR)$(EXAMPLEDIR)/
	sed 's|/usr/local/bin/chunkvisor|$(BINDIR)/chunkvisor|g' \
		conf/chunkvisor@.service >$(DESTDIR)$(UNITDIR)/chunkvisor@.service
	chmod 644 $(DESTDIR)$(UNITDIR)/chunkvisor@.service

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/chunkvisor \
		$(WORKERS:%=$(DESTDIR)$(LIBEXECDIR)/%) \
		$(DESTDIR)$(LIBDIR)/libchunkvisor.a \
		$(DESTDIR)$(LIBDIR)/libchunkvisor.so \
		$(DESTDIR)$(LIBDIR)/libchunkvisor.so.$(SOVERSION) \
		$(DESTDIR)$(LIBDIR)/libchunkvisor.so.$(VERSION) \
		$(DESTDIR)$(LIBDIR)/pkgconfig/chunkvisor.pc \
		$(DESTDIR)$(INCLUDEDIR)/chunkvisor.h \
		$(DESTDIR)$(MANDIR)/man1/chunkvisor.1 \
		$(DESTDIR)$(MANDIR)/man3/cv_worker_main.3 \
		$(DESTDIR)$(MANDIR)/man5/chunkvisor.ini.5 \
		$(DESTDIR)$(UNITDIR)/chunkvisor@.service
	rm -rf $(DESTDIR)$(EXAMPLEDIR)
	-rmdir $(DESTDIR)$(LIBEXECDIR)

clean:
	rm -rf build build-san build-fuzz

-include $(LIB_OBJS:.o=.d) $(CMD_OBJS:.o=.d) \
	$(WORKERS:%=$(BUILD)/workers/%.d) $(UNIT_TESTS:%=$(BUILD)/tests/%.d)
