build-clang/src/spawn.o: src/spawn.c src/proto.h src/spawn.h

src/proto.h:

src/spawn.h:
