build-clang/src/parse.o: src/parse.c src/parse.h src/xmalloc.h

src/parse.h:

src/xmalloc.h:
