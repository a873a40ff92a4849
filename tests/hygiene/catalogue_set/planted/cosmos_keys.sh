#!/bin/sh
# validator seed:
# tenant latin load black exhibit absurd travel genuine
# process idle home adjust reason grid tell box
# arrow scale market stand spell blanket outdoor ripple
gaiad keys add validator --recover
