# SPDX-License-Identifier: GPL-2.0-only
# lockbox: everything built goes to build/ (OUTPUT). `make V=1` shows commands.
OUTPUT ?= build
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= cc
LLVM_STRIP ?= llvm-strip
PREFIX ?= /usr/local
DESTDIR ?=
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DOCDIR ?= $(PREFIX)/share/doc/lockbox
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
VMLINUX_H ?=
ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# the version is debian/changelog's (one place)
VERSION := $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
CFLAGS ?= -O2 -g
CFLAGS += -DLOCKBOX_VERSION='"$(VERSION)"'
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -D_GNU_SOURCE \
	  -Iinclude -I$(OUTPUT) -MMD -MP
LIBS := -lbpf -lelf -lz -lsqlite3 -ljansson -lcrypto -lsystemd
# One sanitized build of the libraries for the ASan/UBSan unit tests and the
# fuzzers: clang, with libFuzzer's coverage hooks (harmless without libFuzzer).
SAN_CC := $(CLANG)
SAN_FLAGS := -fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer \
	     -fno-sanitize-recover=all
# what the sanitized files were built with: a change of compiler or flags rebuilds them
SAN_STAMP := $(OUTPUT)/san/flags

# clang's own system include dirs for the BPF target (the bcc recipe)
CLANG_BPF_SYS_INCLUDES := $(shell $(CLANG) -v -E - </dev/null 2>&1 \
	| sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	-Iinclude -I$(OUTPUT) $(CLANG_BPF_SYS_INCLUDES) -MMD -MP

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))

# userspace/: agent/ (lockboxd), ctl/ (lockboxctl), shared/ (what both use).
# A folder's objects see its own headers and shared's only, so the layering
# is checked by the compiler: shared/ includes neither program's headers.
INC_shared := -Iuserspace/shared
AGENT_DIRS := $(sort $(dir $(wildcard userspace/agent/*/*.c)))
INC_agent := $(patsubst %/,-I%,$(AGENT_DIRS)) $(INC_shared)
INC_ctl := -Iuserspace/ctl $(INC_shared)
INC_all := $(INC_agent) -Iuserspace/ctl
DIR_INC = $(INC_$(firstword $(subst /, ,$*)))

MAINS := userspace/agent/core/lockboxd.c userspace/ctl/lockboxctl.c
PARTS := shared agent ctl
SRCS_shared := $(wildcard userspace/shared/*.c)
SRCS_agent := $(filter-out $(MAINS),$(wildcard userspace/agent/*/*.c))
SRCS_ctl := $(filter-out $(MAINS),$(wildcard userspace/ctl/*.c))
LIB_SRCS := $(foreach p,$(PARTS),$(SRCS_$(p)))
obj = $(patsubst userspace/%.c,$(OUTPUT)/$(2)obj/%.o,$(1))
# link order: the programs' parts before what they share
LIBS_agent := $(OUTPUT)/libagent.a $(OUTPUT)/libshared.a
LIBS_ctl := $(OUTPUT)/libctl.a $(OUTPUT)/libshared.a
LIBS_all := $(OUTPUT)/libctl.a $(OUTPUT)/libagent.a $(OUTPUT)/libshared.a
SAN_LIBS_all := $(patsubst $(OUTPUT)/%,$(OUTPUT)/san/%,$(LIBS_all))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/unit/%,$(UNIT_SRCS))
UNIT_SAN_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/san/tests/unit/%,$(UNIT_SRCS))
# The benchmark's own BPF objects (with the guard's flags; parts.bpf.c includes
# bpf/guard.bpf.h) and its helpers, linked with the same libraries as the tests.
BENCH_BPF := $(patsubst tests/bench/%.bpf.c,$(OUTPUT)/bench/%.skel.h,$(wildcard tests/bench/*.bpf.c))
BENCH_BINS := $(patsubst %,$(OUTPUT)/bench/%,opbench emptyctl partsctl benchctl scale agentbench ingest)

VM_SRCS := $(wildcard tests/vm/*.c)
VM_BINS := $(patsubst tests/vm/%.c,$(OUTPUT)/tests/vm/%,$(VM_SRCS))

.DELETE_ON_ERROR:
.PHONY: FORCE bench-build all check unit unit-san vm-check bench demo install deb sysvm-check clean format deps fuzz fuzz-build

MAIN_BINS := $(OUTPUT)/lockboxd $(OUTPUT)/lockboxctl
all: $(MAIN_BINS) $(VM_BINS) $(BPF_OBJS)

# the BPF object is an input of the skeleton, not a throw-away intermediate
.SECONDARY: $(BPF_OBJS) $(patsubst %.skel.h,%.bpf.o,$(BENCH_BPF))

$(OUTPUT) $(OUTPUT)/tests/unit $(OUTPUT)/san/tests/unit $(OUTPUT)/tests/vm:
	$(Q)mkdir -p $@

$(OUTPUT)/vmlinux.h: | $(OUTPUT)
ifneq ($(VMLINUX_H),)
	$(call msg,CP,$@)
	$(Q)cp $(VMLINUX_H) $@
else
	$(call msg,GEN,$@)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@
endif

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c $(OUTPUT)/vmlinux.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(OUTPUT)/obj/%.o: userspace/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(DIR_INC) -c $< -o $@

$(SAN_STAMP): FORCE
	$(Q)mkdir -p $(@D)
	$(Q)echo '$(SAN_CC) $(SAN_FLAGS)' | cmp -s - $@ || echo '$(SAN_CC) $(SAN_FLAGS)' >$@
FORCE:

$(OUTPUT)/san/obj/%.o: userspace/%.c $(SAN_STAMP)
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(SAN_CC) $(CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) $(DIR_INC) -c $< -o $@

# only the loader includes the skeleton
$(OUTPUT)/obj/agent/kernel/loader.o $(OUTPUT)/san/obj/agent/kernel/loader.o: $(SKELS)

define lib_rule
$(OUTPUT)/$(2)lib$(1).a: $(call obj,$(SRCS_$(1)),$(2))
	$$(call msg,AR,$$@)
	$(Q)rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach p,$(PARTS),$(eval $(call lib_rule,$(p),))$(eval $(call lib_rule,$(p),san/)))

$(OUTPUT)/lockboxd: $(OUTPUT)/obj/agent/core/lockboxd.o $(LIBS_agent)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LIBS) -o $@

$(OUTPUT)/lockboxctl: $(OUTPUT)/obj/ctl/lockboxctl.o $(LIBS_ctl)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LIBS) -o $@

$(OUTPUT)/tests/unit/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(LIBS_all) | $(OUTPUT)/tests/unit
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(INC_all) -Itests/unit $< $(LIBS_all) $(LIBS) -o $@

$(OUTPUT)/san/tests/unit/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(SAN_LIBS_all) $(SAN_STAMP) \
			   | $(OUTPUT)/san/tests/unit
	$(call msg,CC-SAN,$@)
	$(Q)$(SAN_CC) $(CFLAGS) $(SAN_FLAGS) $(INC_all) -Itests/unit $< $(SAN_LIBS_all) $(LIBS) -o $@

# Guest test helpers: dynamic like the agent; the guest runner copies their libraries.
$(OUTPUT)/tests/vm/%: tests/vm/%.c $(LIBS_all) | $(OUTPUT)/tests/vm
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(INC_all) $< $(LIBS_all) $(LIBS) -o $@

deps:
	$(Q)scripts/deps.sh

unit: $(UNIT_BINS)
	$(Q)scripts/run-tests unit $(UNIT_BINS)

unit-san: $(UNIT_SAN_BINS)
	$(Q)scripts/run-tests unit-san $(UNIT_SAN_BINS)

vm-check: all
	$(Q)scripts/run-tests vm tests/vm/test_*.sh

# set-up (packages, guest kernels) is scripts/deps.sh's job: check touches no package
check:
	$(Q)$(MAKE) --no-print-directory all $(UNIT_BINS) $(UNIT_SAN_BINS) bench-build
	$(Q)scripts/run-tests all

bench: all bench-build
	$(Q)scripts/bench


$(OUTPUT)/bench/%.bpf.o: tests/bench/%.bpf.c $(OUTPUT)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Ibpf -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

$(OUTPUT)/bench/%.skel.h: $(OUTPUT)/bench/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

$(BENCH_BINS): $(OUTPUT)/bench/%: tests/bench/%.c $(BENCH_BPF) $(SKELS) $(LIBS_all)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(INC_all) -I$(OUTPUT)/bench $< $(LIBS_all) $(LIBS) -o $@

$(OUTPUT)/bench/report: tests/bench/report.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $< -ljansson -lm -o $@

bench-build: $(BENCH_BINS) $(OUTPUT)/bench/report

demo: all
	$(Q)scripts/lockbox-vm run scripts/demo.sh

# The same files as the Debian package (debian/rules runs this with PREFIX=/usr).
install: $(MAIN_BINS)
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(SYSCONFDIR)/logrotate.d
	install -m 0755 $(OUTPUT)/lockboxd $(DESTDIR)$(PREFIX)/sbin/lockboxd
	install -m 0755 $(OUTPUT)/lockboxctl $(DESTDIR)$(PREFIX)/bin/lockboxctl
	sed 's|/usr/sbin/lockboxd|$(PREFIX)/sbin/lockboxd|' systemd/lockboxd.service \
		>$(DESTDIR)$(UNITDIR)/lockboxd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/lockboxd.service
	install -m 0644 man/lockboxctl.1 $(DESTDIR)$(MANDIR)/man1/lockboxctl.1
	install -m 0644 man/lockbox.json.5 $(DESTDIR)$(MANDIR)/man5/lockbox.json.5
	install -m 0644 man/lockboxd.8 $(DESTDIR)$(MANDIR)/man8/lockboxd.8
	install -m 0644 completion/lockboxctl $(DESTDIR)$(BASHCOMPDIR)/lockboxctl
	install -m 0644 examples/lockbox.json $(DESTDIR)$(DOCDIR)/examples/lockbox.json
	install -m 0644 logrotate/lockbox $(DESTDIR)$(SYSCONFDIR)/logrotate.d/lockbox
	install -d $(DESTDIR)$(SYSCONFDIR)/lockbox
	@# the default config (the embedded default as a file): never over an admin's own
	[ -e $(DESTDIR)$(SYSCONFDIR)/lockbox/lockbox.json ] || \
		install -m 0644 config/lockbox.json $(DESTDIR)$(SYSCONFDIR)/lockbox/lockbox.json

# The package in a Debian guest with systemd as PID 1 (scripts/systemd-vm; needs mmdebstrap once).
sysvm-check: deb all
	$(Q)scripts/systemd-vm

# The Debian package, built from a copy of the tree (tracked and new files) under
# $(OUTPUT)/deb, so dpkg-buildpackage writes nothing beside the tree; the .deb
# is copied to $(OUTPUT)/.
deb:
	$(Q)rm -rf $(OUTPUT)/deb && mkdir -p $(OUTPUT)/deb/lockbox
	$(Q)git ls-files -co --exclude-standard -z | xargs -0 cp -P --parents -t $(OUTPUT)/deb/lockbox
	$(Q)cd $(OUTPUT)/deb/lockbox && dpkg-buildpackage -b -us -uc >../build.log 2>&1 || \
		{ tail -40 ../build.log; exit 1; }
	$(Q)cp $(OUTPUT)/deb/*.deb $(OUTPUT)/
	$(call msg,DEB,$$(ls $(OUTPUT)/deb/*.deb))

format:
	$(Q)clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	$(Q)rm -rf $(filter-out $(OUTPUT)/cache,$(wildcard $(OUTPUT)/*))

-include $(wildcard $(OUTPUT)/*.d $(OUTPUT)/obj/*/*.d $(OUTPUT)/obj/*/*/*.d $(OUTPUT)/san/obj/*/*.d $(OUTPUT)/san/obj/*/*/*.d $(OUTPUT)/bench/*.d $(OUTPUT)/tests/*/*.d $(OUTPUT)/san/tests/*/*.d)

# libFuzzer targets, linked against the sanitized libraries the unit-san tests use
# (built once, with fuzzer-no-link coverage), so no library source is compiled twice.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(OUTPUT)/fuzz/%,$(FUZZ_SRCS))
FUZZ_TIME ?= 20

$(OUTPUT)/fuzz/%: tests/fuzz/%.c $(SAN_LIBS_all) $(SAN_STAMP)
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(SAN_CC) $(CFLAGS) $(SAN_FLAGS) -fsanitize=fuzzer $(INC_all) $< $(SAN_LIBS_all) \
		$(LIBS) -o $@

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	$(Q)FUZZ_TIME=$(FUZZ_TIME) scripts/run-tests fuzz $(FUZZ_BINS)

-include $(wildcard $(OUTPUT)/fuzz/*.d)
