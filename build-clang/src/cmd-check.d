build-clang/src/cmd-check.o: src/cmd-check.c src/cmd.h src/conf.h

src/cmd.h:

src/conf.h:
