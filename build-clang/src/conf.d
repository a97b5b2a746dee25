build-clang/src/conf.o: src/conf.c src/conf.h src/log.h src/parse.h \
  src/xmalloc.h

src/conf.h:

src/log.h:

src/parse.h:

src/xmalloc.h:
