build-clang/src/proto.o: src/proto.c src/proto.h

src/proto.h:
