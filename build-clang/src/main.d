build-clang/src/main.o: src/main.c include/chunkvisor.h src/cmd.h \
  src/log.h

include/chunkvisor.h:

src/cmd.h:

src/log.h:
