build-clang/src/cmd-parse.o: src/cmd-parse.c src/cmd.h src/conf.h \
  src/log.h src/xmalloc.h

src/cmd.h:

src/conf.h:

src/log.h:

src/xmalloc.h:
