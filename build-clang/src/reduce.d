build-clang/src/reduce.o: src/reduce.c src/conf.h src/log.h src/reduce.h \
  src/xmalloc.h

src/conf.h:

src/log.h:

src/reduce.h:

src/xmalloc.h:
