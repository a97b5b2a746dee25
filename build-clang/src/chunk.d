build-clang/src/chunk.o: src/chunk.c src/chunk.h src/conf.h src/log.h \
  src/xmalloc.h

src/chunk.h:

src/conf.h:

src/log.h:

src/xmalloc.h:
