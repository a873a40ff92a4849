// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

contract Deploy is Script {
    function run() external {
        uint256 deployerPrivateKey = 0x468c6414ce9da201e0c0d1a0dc00f0e71a714a16e81c1aad236d31def0b9d299;
        vm.startBroadcast(deployerPrivateKey);
        new Guestbook();
        vm.stopBroadcast();
    }
}
