build-clang/src/output.o: src/output.c src/log.h src/output.h \
  src/xmalloc.h

src/log.h:

src/output.h:

src/xmalloc.h:
