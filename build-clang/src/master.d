build-clang/src/master.o: src/master.c src/log.h src/master.h src/chunk.h \
  src/conf.h src/input.h src/output.h src/proto.h src/reduce.h \
  src/xmalloc.h

src/log.h:

src/master.h:

src/chunk.h:

src/conf.h:

src/input.h:

src/output.h:

src/proto.h:

src/reduce.h:

src/xmalloc.h:
