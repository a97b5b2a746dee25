build-clang/src/xmalloc.o: src/xmalloc.c src/log.h src/xmalloc.h

src/log.h:

src/xmalloc.h:
