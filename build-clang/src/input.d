build-clang/src/input.o: src/input.c src/input.h src/log.h src/shm.h

src/input.h:

src/log.h:

src/shm.h:
