build-clang/src/slot.o: src/slot.c src/log.h src/master.h src/chunk.h \
  src/conf.h src/input.h src/output.h src/proto.h src/reduce.h src/shm.h \
  src/spawn.h src/xmalloc.h

src/log.h:

src/master.h:

src/chunk.h:

src/conf.h:

src/input.h:

src/output.h:

src/proto.h:

src/reduce.h:

src/shm.h:

src/spawn.h:

src/xmalloc.h:
